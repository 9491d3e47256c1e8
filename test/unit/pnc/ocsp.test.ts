import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HttpOcspClient } from '../../../src/pnc/ocsp-client.ts';
import { decodeOcspResponse, OcspError } from '../../../src/pnc/ocsp.ts';
import { tempDir } from '../../helpers/gateway.ts';
import { freePort } from '../../helpers/net.ts';
import { MoPki, openssl, type Contract } from '../../helpers/pnc-pki.ts';

describe('OCSP client against a real openssl ocsp responder', () => {
  let dir: string;
  let mo: MoPki;
  let good: Contract;
  let revoked: Contract;
  let unlisted: Contract;
  before(async () => {
    dir = tempDir('cgw-ocsp-');
    mo = await MoPki.create(dir);
    good = mo.issue('DEACMC00000001X');
    revoked = mo.issue('DEACMC00000002X', 'revoked');
    unlisted = mo.issue('DEACMC00000003X', 'unlisted');
    await mo.startResponder();
  });
  after(() => {
    mo.stopResponder();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports good, revoked and unknown certificates, and the DER answer is one openssl reads', async () => {
    const client = new HttpOcspClient({ timeoutMs: 5000 });
    const answer = await client.check(mo.hashData(good));
    assert.equal(answer.status, 'Good');
    assert.ok(answer.nextUpdate && answer.nextUpdate > new Date());
    writeFileSync(join(dir, 'resp.der'), answer.response);
    const text = openssl(['ocsp', '-respin', 'resp.der', '-resp_text', '-noverify'], dir);
    assert.match(text, /Cert Status: good/);
    assert.equal((await client.check(mo.hashData(revoked))).status, 'Revoked');
    assert.equal((await client.check(mo.hashData(unlisted))).status, 'Unknown');
  });

  it('keeps answers until their nextUpdate: a second question costs no request', async () => {
    const client = new HttpOcspClient({ timeoutMs: 5000 });
    const request = mo.hashData(good);
    const first = await client.check(request);
    mo.stopResponder();
    try {
      const again = await client.check(request);
      assert.equal(again, first);
    } finally {
      await mo.startResponder();
    }
  });

  it('says clearly when the responder cannot be reached or answers garbage', async () => {
    const client = new HttpOcspClient({ timeoutMs: 2000 });
    const down = { ...mo.hashData(good), responderURL: `http://127.0.0.1:${await freePort()}` };
    await assert.rejects(client.check(down), (err: unknown) => err instanceof OcspError && /could not be reached/.test(err.message));
    await assert.rejects(client.check({ ...down, responderURL: 'ldap://example' }), /not http/);
    assert.throws(() => decodeOcspResponse(new Uint8Array([1, 2, 3]), mo.hashData(good), new Date()), /not a DER OCSPResponse/);
  });

  it('refuses an answer about another certificate than the one asked', async () => {
    const client = new HttpOcspClient({ timeoutMs: 5000 });
    const answer = await client.check(mo.hashData(good));
    assert.throws(() => decodeOcspResponse(answer.response, mo.hashData(revoked), new Date()), /does not cover the certificate/);
  });

  it('refuses an answer whose signature was tampered with', async () => {
    const client = new HttpOcspClient({ timeoutMs: 5000 });
    const answer = await client.check(mo.hashData(revoked));
    const tampered = Buffer.from(answer.response);
    // Flip a bit inside the signed response data (the single response's revocation time).
    const at = tampered.indexOf(Buffer.from('250101000000Z'));
    assert.ok(at > 0);
    tampered[at + 3] = tampered[at + 3]! ^ 0x01;
    assert.throws(() => decodeOcspResponse(tampered, mo.hashData(revoked), new Date()), /signature is not valid/);
  });

  it('refuses an answer that is out of date', async () => {
    const client = new HttpOcspClient({ timeoutMs: 5000 });
    const answer = await client.check(mo.hashData(good));
    assert.throws(() => decodeOcspResponse(answer.response, mo.hashData(good), new Date(Date.now() + 3600_000)), /out of date/);
  });
});
