// ISO 15118 Plug & Charge, CSMS side, OCPP 2.0.1: ocpp-rpc charging stations (strict mode)
// against the gateway, certificates and CSRs made by openssl, a real `openssl ocsp`
// responder, and a FAKE contract-certificate backend (no real one can run here).
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createDevPki, type DevPkiFiles } from '../../gateway/dev-pki.ts';
import { BOOT_201, connectRpcClient } from '../helpers/clients.ts';
import { FakeContractBackend } from '../helpers/fake-contract-backend.ts';
import { startTestGateway, tempDir, type TestGateway } from '../helpers/gateway.ts';
import { makeCsr, MoPki, openssl, pncConfig, tamperCsr, type Contract } from '../helpers/pnc-pki.ts';
import { eventually } from '../helpers/wait.ts';

interface Station {
  client: any;
  signed: { certificateChain: string; certificateType?: string }[];
  installed: Map<string, { certificateType: string; certificate: string }>;
  /** How CertificateSigned is answered: 'accept', or 'silent' once (the gateway must retry). */
  onSigned: 'accept' | 'silent';
}

describe('Plug & Charge over OCPP 2.0.1', () => {
  let dir: string;
  let pki: DevPkiFiles;
  let mo: MoPki;
  let good: Contract;
  let revoked: Contract;
  let backend: FakeContractBackend;
  let gw: TestGateway;
  let token: string;
  const stations: Station[] = [];

  const api = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> => {
    const res = await fetch(`http://127.0.0.1:${gw.adminPort}${path}`, {
      method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: await res.json() };
  };

  async function station(identity: string, url = gw.url): Promise<Station> {
    const client = await connectRpcClient(url, identity, 'ocpp2.0.1');
    const s: Station = { client, signed: [], installed: new Map(), onSigned: 'accept' };
    client.handle('CertificateSigned', async ({ params }: any) => {
      if (s.onSigned === 'silent') {
        s.onSigned = 'accept';
        await new Promise((r) => setTimeout(r, 1500)); // longer than the gateway's call timeout
      }
      s.signed.push(params);
      return { status: 'Accepted' };
    });
    client.handle('InstallCertificate', ({ params }: any) => {
      const hash = openssl(['x509', '-noout', '-serial'], dir, params.certificate).trim().replace('serial=', '').toLowerCase().replace(/^0+/, '');
      s.installed.set(hash, params);
      return { status: 'Accepted' };
    });
    client.handle('GetInstalledCertificateIds', () => ({ status: 'Accepted', certificateHashDataChain: [] }));
    client.handle('DeleteCertificate', ({ params }: any) => {
      const serial = params.certificateHashData.serialNumber.toLowerCase();
      return { status: s.installed.delete(serial) ? 'Accepted' : 'NotFound' };
    });
    client.handle(() => ({}));
    await client.call('BootNotification', BOOT_201);
    stations.push(s);
    return s;
  }

  before(async () => {
    dir = tempDir('cgw-pnc201-');
    pki = await createDevPki(join(dir, 'pki'), 'ACME CPO');
    mo = await MoPki.create(dir);
    good = mo.issue('DEACMC00000011X');
    revoked = mo.issue('DEACMC00000012X', 'revoked');
    await mo.startResponder();
    backend = await FakeContractBackend.start();
    gw = await startTestGateway({ ocpp: { callTimeoutSec: 1 }, pnc: pncConfig(pki, mo, backend.url) });
    token = readFileSync(join(gw.config.dataDir, 'admin.token'), 'utf8').trim();
  });
  after(async () => {
    for (const s of stations) await s.client.close({ force: true });
    await gw.cleanup();
    await backend.close();
    mo.stopResponder();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs a V2G CSR: Accepted, then CertificateSigned with a chain (leaf first) openssl verifies, recorded per station', async () => {
    const s = await station('PNC-201-A');
    const answer = await s.client.call('SignCertificate', { csr: makeCsr(dir, 'a', '/CN=PNC-201-A/O=ACME CPO'), certificateType: 'V2GCertificate' });
    assert.deepEqual(answer, { status: 'Accepted' });
    await eventually(() => s.signed.length === 1, 5000, 'no CertificateSigned');
    const { certificateChain, certificateType } = s.signed[0]!;
    assert.equal(certificateType, 'V2GCertificate');
    const blocks = certificateChain.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)!;
    writeFileSync(join(dir, 'leaf.pem'), blocks[0]!);
    writeFileSync(join(dir, 'rest.pem'), blocks.slice(1).join('\n'));
    assert.match(openssl(['verify', '-CAfile', pki.v2gRoot, '-untrusted', 'rest.pem', 'leaf.pem'], dir), /OK/);
    assert.match(openssl(['x509', '-in', 'leaf.pem', '-noout', '-subject'], dir), /CN ?= ?PNC-201-A/);
    const inventory = await eventually(async () => {
      const list = (await api('GET', '/api/stations/PNC-201-A/certificates')).body;
      return list.length ? list : undefined;
    });
    assert.equal(inventory[0].certificateType, 'V2GCertificate');
    assert.equal(inventory[0].source, 'CertificateSigned');
    assert.equal(inventory[0].serialNumber, openssl(['x509', '-in', 'leaf.pem', '-noout', '-serial'], dir).trim().split('=')[1]!.toLowerCase().replace(/^0+/, ''));
  });

  it('triggers the station to renew its certificates (TriggerMessage SignV2GCertificate / SignChargingStationCertificate)', async () => {
    const s = await station('PNC-201-T');
    const asked: string[] = [];
    s.client.handle('TriggerMessage', ({ params }: any) => { asked.push(params.requestedMessage); return { status: 'Accepted' }; });
    for (const message of ['SignV2GCertificate', 'SignChargingStationCertificate']) {
      const res = await api('POST', '/api/stations/PNC-201-T/commands/trigger', { message });
      assert.equal(res.body.result, 'Accepted');
    }
    assert.deepEqual(asked, ['SignV2GCertificate', 'SignChargingStationCertificate']);
  });

  it('retries CertificateSigned when the station does not answer', async () => {
    const s = await station('PNC-201-B');
    s.onSigned = 'silent';
    const answer = await s.client.call('SignCertificate', { csr: makeCsr(dir, 'b', '/CN=PNC-201-B/O=ACME CPO', 'ec384') });
    assert.equal(answer.status, 'Accepted');
    await eventually(() => s.signed.length === 2, 8000, 'CertificateSigned was not retried');
    assert.equal(s.signed[0]!.certificateChain, s.signed[1]!.certificateChain, 'the same chain is sent again');
    assert.equal(s.signed[1]!.certificateType, 'ChargingStationCertificate', 'no certificateType means the station certificate');
  });

  it('rejects CSRs for another identity, with a broken signature or another organization, and sends nothing', async () => {
    const s = await station('PNC-201-C');
    const cases = [
      [makeCsr(dir, 'c1', '/CN=PNC-201-X/O=ACME CPO'), 'SubjectMismatch'],
      [tamperCsr(makeCsr(dir, 'c2', '/CN=PNC-201-C/O=ACME CPO')), 'InvalidSignature'],
      [makeCsr(dir, 'c3', '/CN=PNC-201-C/O=Evil CPO'), 'SubjectMismatch'],
      [makeCsr(dir, 'c4', '/CN=PNC-201-C/O=ACME CPO', 'rsa2048'), 'KeyType'],
    ] as const;
    for (const [csr, reason] of cases) {
      const answer = await s.client.call('SignCertificate', { csr, certificateType: 'V2GCertificate' });
      assert.equal(answer.status, 'Rejected');
      assert.equal(answer.statusInfo.reasonCode, reason);
    }
    // A valid CSR after them: its certificate arriving alone proves none of the refused ones
    // got one (rather than a fixed wait deciding that nothing happened).
    const valid = await s.client.call('SignCertificate', { csr: makeCsr(dir, 'c5', '/CN=PNC-201-C/O=ACME CPO'), certificateType: 'V2GCertificate' });
    assert.equal(valid.status, 'Accepted');
    await eventually(() => s.signed.length >= 1, 5000, 'no CertificateSigned for the valid CSR');
    writeFileSync(join(dir, 'c5-leaf.pem'), s.signed[0]!.certificateChain.split(/(?=-----BEGIN CERTIFICATE-----)/)[0]!);
    assert.match(openssl(['x509', '-in', 'c5-leaf.pem', '-noout', '-subject'], dir), /CN ?= ?PNC-201-C, O ?= ?ACME CPO/);
    assert.equal(s.signed.length, 1, 'only the valid CSR was signed');
  });

  it('answers GetCertificateStatus with the responder\'s DER (good and revoked), and Failed when it is down', async () => {
    const s = await station('PNC-201-D');
    for (const [contract, status] of [[good, 'good'], [revoked, 'revoked']] as const) {
      const answer = await s.client.call('GetCertificateStatus', { ocspRequestData: mo.hashData(contract) });
      assert.equal(answer.status, 'Accepted');
      writeFileSync(join(dir, 'ocsp.der'), Buffer.from(answer.ocspResult, 'base64'));
      assert.match(openssl(['ocsp', '-respin', 'ocsp.der', '-resp_text', '-noverify'], dir), new RegExp(`Cert Status: ${status}`));
    }
    const down = await s.client.call('GetCertificateStatus', { ocspRequestData: { ...mo.hashData(good), serialNumber: 'abcdef', responderURL: 'http://127.0.0.1:9' } });
    assert.equal(down.status, 'Failed');
    assert.equal(down.statusInfo.reasonCode, 'OcspFailed');
    assert.match(down.statusInfo.additionalInfo, /could not be reached/);
  });

  it('forwards Get15118EVCertificate to the contract backend; Failed with a reason when it fails, is slow or answers too much', async () => {
    const s = await station('PNC-201-E');
    const request = { iso15118SchemaVersion: 'urn:iso:15118:2:2013:MsgDef', action: 'Install', exiRequest: Buffer.from('exi-request').toString('base64') };
    const ok = await s.client.call('Get15118EVCertificate', request);
    assert.deepEqual(ok, { status: 'Accepted', exiResponse: Buffer.from(`response-to:${request.exiRequest}`).toString('base64') });
    assert.deepEqual(backend.requests.at(-1), { station: 'PNC-201-E', ...request });
    for (const [mode, reason] of [['error', /HTTP 503/], ['slow', /no answer within 1000 ms/], ['oversized', /more than the 7500/]] as const) {
      backend.mode = mode;
      const failed = await s.client.call('Get15118EVCertificate', request);
      assert.equal(failed.status, 'Failed');
      assert.equal(failed.exiResponse, '');
      assert.match(failed.statusInfo.additionalInfo, reason);
    }
    backend.mode = 'ok';
  });

  it('installs, lists and deletes root certificates from the admin API', async () => {
    const s = await station('PNC-201-F');
    const pem = readFileSync(pki.v2gRoot, 'utf8');
    const installed = await api('POST', '/api/stations/PNC-201-F/commands/install-certificate', { certificateType: 'V2GRootCertificate', certificate: pem });
    assert.equal(installed.status, 200);
    assert.equal(installed.body.result.status, 'Accepted');
    assert.equal(s.installed.size, 1);
    const list = (await api('GET', '/api/stations/PNC-201-F/certificates')).body;
    assert.equal(list.length, 1);
    assert.equal(list[0].certificateType, 'V2GRootCertificate');
    assert.equal(list[0].source, 'InstallCertificate');
    // The hash data names the certificate exactly as openssl computes it (a root is its own issuer).
    const text = openssl(['ocsp', '-sha256', '-issuer', pki.v2gRoot, '-cert', pki.v2gRoot, '-req_text', '-no_nonce', '-reqout', '/dev/null'], dir);
    assert.equal(list[0].issuerKeyHash, /Issuer Key Hash: ([0-9A-F]+)/.exec(text)![1]!.toLowerCase());
    assert.equal(list[0].issuerNameHash, /Issuer Name Hash: ([0-9A-F]+)/.exec(text)![1]!.toLowerCase());

    const notRoot = await api('POST', '/api/stations/PNC-201-F/commands/install-certificate', { certificateType: 'V2GRootCertificate', certificate: readFileSync(pki.v2gSubCa.certFile, 'utf8') });
    assert.equal(notRoot.status, 400);
    assert.match(notRoot.body.error, /not a root/);
    const badType = await api('POST', '/api/stations/PNC-201-F/commands/install-certificate', { certificateType: 'Nope', certificate: pem });
    assert.equal(badType.status, 400);
    assert.equal(badType.body.field, 'certificateType');

    const deleted = await api('POST', '/api/stations/PNC-201-F/commands/delete-certificate', { id: list[0].id });
    assert.equal(deleted.body.result.status, 'Accepted');
    assert.equal(s.installed.size, 0);
    assert.deepEqual((await api('GET', '/api/stations/PNC-201-F/certificates')).body, []);
    assert.equal((await api('POST', '/api/stations/PNC-201-F/commands/delete-certificate', { id: list[0].id })).status, 404);
  });

  it('refreshes the inventory from GetInstalledCertificateIds', async () => {
    const s = await station('PNC-201-G');
    const hashData = mo.hashData(good);
    const { responderURL: _unused, ...certificateHashData } = hashData;
    s.client.handle('GetInstalledCertificateIds', () => ({ status: 'Accepted', certificateHashDataChain: [{ certificateType: 'MORootCertificate', certificateHashData }] }));
    const refreshed = await api('POST', '/api/stations/PNC-201-G/commands/refresh-certificates', {});
    assert.equal(refreshed.status, 200);
    assert.equal(refreshed.body.result.length, 1);
    assert.equal(refreshed.body.result[0].certificateType, 'MORootCertificate');
    assert.equal(refreshed.body.result[0].source, 'GetInstalledCertificateIds');
  });

  it('refuses signing and installing for a station on security profile 0 unless configured', async () => {
    const strict = await startTestGateway({ pnc: { ...pncConfig(pki, mo, backend.url), allowInsecureProfiles: false } });
    try {
      const s = await station('PNC-201-H', strict.url);
      const answer = await s.client.call('SignCertificate', { csr: makeCsr(dir, 'h', '/CN=PNC-201-H/O=ACME CPO') });
      assert.equal(answer.status, 'Rejected');
      assert.equal(answer.statusInfo.reasonCode, 'SecurityProfile');
      const strictToken = readFileSync(join(strict.config.dataDir, 'admin.token'), 'utf8').trim();
      const res = await fetch(`http://127.0.0.1:${strict.adminPort}/api/stations/PNC-201-H/commands/install-certificate`, {
        method: 'POST', headers: { Authorization: `Bearer ${strictToken}` }, body: JSON.stringify({ certificateType: 'V2GRootCertificate', certificate: readFileSync(pki.v2gRoot, 'utf8') }),
      });
      assert.equal(res.status, 409);
      assert.match(((await res.json()) as any).error, /security profile/);
      assert.equal(s.installed.size, 0);
    } finally {
      await strict.cleanup();
    }
  });
});
