import assert from 'node:assert/strict';
import { statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkCsr, CsrRefusal } from '../../../src/pnc/certificate-authority.ts';
import { createDevPki, type DevPkiFiles } from '../../../gateway/dev-pki.ts';
import { certificateHashData } from '../../../src/pnc/hash-data.ts';
import { LocalCertificateAuthority, loadIssuer } from '../../../src/pnc/local-ca.ts';
import { parseCertificate } from '../../../src/pnc/x509.ts';
import { tempDir } from '../../helpers/gateway.ts';
import { makeCsr, openssl, tamperCsr } from '../../helpers/pnc-pki.ts';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpCertificateAuthority } from '../../../src/pnc/http-ca.ts';

describe('Plug & Charge certificates (checked with openssl)', () => {
  let dir: string;
  let pki: DevPkiFiles;
  before(async () => {
    dir = tempDir('cgw-pki-');
    pki = await createDevPki(join(dir, 'pki'), 'ACME CPO');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('pki init makes a hierarchy openssl verifies, with private keys readable by the owner only', () => {
    assert.match(openssl(['verify', '-CAfile', pki.v2gRoot, pki.v2gSubCa.certFile], dir), /OK/);
    assert.match(openssl(['verify', '-CAfile', pki.csmsRoot, pki.csoSubCa.certFile], dir), /OK/);
    assert.match(openssl(['verify', '-CAfile', pki.csmsRoot, pki.server.certFile], dir), /OK/);
    for (const key of [pki.v2gSubCa.keyFile, pki.csoSubCa.keyFile, pki.moRoot.keyFile]) assert.equal(statSync(key).mode & 0o777, 0o600);
  });

  it('refuses to overwrite an existing PKI', async () => {
    await assert.rejects(createDevPki(pki.dir, 'ACME CPO'), /already holds a PKI/);
  });

  it('computes the hash data exactly as openssl ocsp does, also for serials with the high bit set and RSA issuers', async () => {
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=RSA Root/O=Ünïcode Org', '-keyout', 'rsa.key', '-out', 'rsa.crt'], dir);
    makeCsr(dir, 'leaf', '/CN=CS-HASH');
    openssl(['x509', '-req', '-in', 'leaf.csr', '-CA', 'rsa.crt', '-CAkey', 'rsa.key', '-set_serial', '0x80ff00', '-days', '2', '-out', 'leaf.crt'], dir);
    const text = openssl(['ocsp', '-sha256', '-issuer', 'rsa.crt', '-cert', 'leaf.crt', '-req_text', '-no_nonce', '-reqout', '/dev/null'], dir);
    const field = (label: string) => new RegExp(`${label}: ([0-9A-F]+)`).exec(text)![1]!.toLowerCase();
    const ours = certificateHashData(parseCertificate(readFileSync(join(dir, 'leaf.crt'), 'utf8')), parseCertificate(readFileSync(join(dir, 'rsa.crt'), 'utf8')));
    assert.deepEqual(ours, { hashAlgorithm: 'SHA256', issuerNameHash: field('Issuer Name Hash'), issuerKeyHash: field('Issuer Key Hash'), serialNumber: '80ff00' });
  });

  describe('CSR checks', () => {
    const check = (csrPem: string, station = 'CS-1', certificateType: 'V2GCertificate' | 'ChargingStationCertificate' = 'V2GCertificate') =>
      checkCsr({ csrPem, station, certificateType }, { organization: 'ACME CPO' });
    const refusal = async (promise: Promise<unknown>, code: string, text: RegExp) => {
      await assert.rejects(promise, (err: unknown) => err instanceof CsrRefusal && err.code === code && text.test(err.message));
    };

    it('accepts a CSR from the station itself', async () => {
      const csr = await check(makeCsr(dir, 'ok', '/CN=CS-1/O=ACME CPO'));
      assert.equal(csr.subjectName.getField('CN')[0], 'CS-1');
    });
    it('refuses a CN that is not the station identity', () => refusal(check(makeCsr(dir, 'cn', '/CN=CS-2/O=ACME CPO')), 'SubjectMismatch', /CN is CS-2, not the station identity CS-1/));
    it('refuses another organization', () => refusal(check(makeCsr(dir, 'org', '/CN=CS-1/O=Other')), 'SubjectMismatch', /O is Other, not ACME CPO/));
    it('refuses a CSR whose signature does not verify', () => refusal(check(tamperCsr(makeCsr(dir, 'sig', '/CN=CS-1/O=ACME CPO'))), 'InvalidSignature', /signature/));
    it('refuses RSA for V2G certificates and short RSA keys for station certificates', async () => {
      await refusal(check(makeCsr(dir, 'rsa', '/CN=CS-1/O=ACME CPO', 'rsa2048')), 'KeyType', /not allowed for a V2GCertificate/);
      await refusal(check(makeCsr(dir, 'rsa1k', '/CN=CS-1/O=ACME CPO', 'rsa1024'), 'CS-1', 'ChargingStationCertificate'), 'KeyType', /1024-bit/);
      await check(makeCsr(dir, 'rsa2k', '/CN=CS-1/O=ACME CPO', 'rsa2048'), 'CS-1', 'ChargingStationCertificate');
    });
    it('refuses what is not a CSR', () => refusal(check('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----'), 'InvalidCSR', /PKCS#10/));
  });

  it('signs with the profile of each use; openssl verifies the chain (leaf first) up to the root', async () => {
    const ca = new LocalCertificateAuthority({
      issuers: { V2GCertificate: await loadIssuer(pki.v2gSubCa), ChargingStationCertificate: await loadIssuer(pki.csoSubCa) },
      validityDays: { V2GCertificate: 60, ChargingStationCertificate: 365 },
    });
    for (const [type, root] of [['V2GCertificate', pki.v2gRoot], ['ChargingStationCertificate', pki.csmsRoot]] as const) {
      const chain = await ca.sign({ csrPem: makeCsr(dir, `s-${type}`, '/CN=CS-1/O=ACME CPO'), certificateType: type, station: 'CS-1' });
      assert.equal(chain.length, 2);
      writeFileSync(join(dir, 'leaf.pem'), chain[0]!);
      writeFileSync(join(dir, 'untrusted.pem'), chain.slice(1).join(''));
      const purpose = type === 'ChargingStationCertificate' ? ['-purpose', 'sslclient'] : [];
      assert.match(openssl(['verify', ...purpose, '-CAfile', root, '-untrusted', 'untrusted.pem', 'leaf.pem'], dir), /leaf.pem: OK/);
      const text = openssl(['x509', '-in', 'leaf.pem', '-noout', '-text'], dir);
      assert.match(text, /CA:FALSE/);
      assert.match(text, /Subject: CN ?= ?CS-1, O ?= ?ACME CPO/);
      assert.equal(/TLS Web Client Authentication/.test(text), type === 'ChargingStationCertificate');
      const days = (parseCertificate(chain[0]!).notAfter.getTime() - Date.now()) / 86_400_000;
      assert.ok(Math.abs(days - (type === 'V2GCertificate' ? 60 : 365)) < 1, `validity ${days} days`);
    }
  });

  it('signs through an external CA over HTTP (a test server that signs with openssl) and names it when it fails', async () => {
    let failing = false;
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString(); });
      req.on('end', () => {
        if (failing) return void res.writeHead(500).end('CA is down');
        const { csr, station } = JSON.parse(body) as { csr: string; station: string };
        writeFileSync(join(dir, 'ext.csr'), csr);
        openssl(['x509', '-req', '-in', 'ext.csr', '-CA', pki.csoSubCa.certFile, '-CAkey', pki.csoSubCa.keyFile, '-set_serial', '77', '-days', '1', '-out', 'ext.crt'], dir);
        const certificateChain = readFileSync(join(dir, 'ext.crt'), 'utf8') + readFileSync(pki.csoSubCa.certFile, 'utf8');
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ certificateChain, station }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const ca = new HttpCertificateAuthority({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sign`, timeoutMs: 5000 });
      const chain = await ca.sign({ csrPem: makeCsr(dir, 'ext', '/CN=CS-EXT/O=ACME CPO'), certificateType: 'ChargingStationCertificate', station: 'CS-EXT' });
      assert.equal(chain.length, 2);
      writeFileSync(join(dir, 'ext-chain.pem'), chain.join(''));
      writeFileSync(join(dir, 'ext-leaf.pem'), chain[0]!);
      assert.match(openssl(['verify', '-CAfile', pki.csmsRoot, '-untrusted', 'ext-chain.pem', 'ext-leaf.pem'], dir), /OK/);
      failing = true;
      await assert.rejects(ca.sign({ csrPem: makeCsr(dir, 'ext2', '/CN=CS-EXT/O=ACME CPO'), certificateType: 'ChargingStationCertificate', station: 'CS-EXT' }), /external CA answered HTTP 500: CA is down/);
    } finally {
      server.close();
    }
  });

  it('refuses a sub-CA whose key is not its own', async () => {
    await assert.rejects(loadIssuer({ certFile: pki.v2gSubCa.certFile, keyFile: pki.csoSubCa.keyFile }), /is not the key of/);
  });
});
