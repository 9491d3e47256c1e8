// Plug & Charge for OCPP 1.6 stations: the ISO 15118 messages ride in DataTransfer
// (org.openchargealliance.iso15118pnc) both ways, and the charge point's own certificate
// uses the security whitepaper's messages. ocpp-rpc 1.6 charge points in strict mode.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createDevPki, type DevPkiFiles } from '../../gateway/dev-pki.ts';
import { BOOT_16, connectRpcClient } from '../helpers/clients.ts';
import { FakeContractBackend } from '../helpers/fake-contract-backend.ts';
import { startTestGateway, tempDir, type TestGateway } from '../helpers/gateway.ts';
import { makeCsr, MoPki, openssl, pncConfig } from '../helpers/pnc-pki.ts';
import { eventually } from '../helpers/wait.ts';

const PNC = 'org.openchargealliance.iso15118pnc';

describe('Plug & Charge over OCPP 1.6', () => {
  let dir: string;
  let pki: DevPkiFiles;
  let mo: MoPki;
  let backend: FakeContractBackend;
  let gw: TestGateway;
  let cs: any;
  let token: string;
  const received: { action: string; params: any }[] = [];

  before(async () => {
    dir = tempDir('cgw-pnc16-');
    pki = await createDevPki(join(dir, 'pki'), 'ACME CPO');
    mo = await MoPki.create(dir);
    backend = await FakeContractBackend.start();
    // The V2G sub-CA sends its root too (some chargers want it), the station CA does not.
    const config = pncConfig(pki, mo, backend.url);
    gw = await startTestGateway({ pnc: { ...config, ca: { ...config.ca, v2g: { ...config.ca.v2g, includeRoot: true, rootFile: pki.v2gRoot } } } });
    token = readFileSync(join(gw.config.dataDir, 'admin.token'), 'utf8').trim();
    cs = await connectRpcClient(gw.url, 'PNC-16', 'ocpp1.6');
    for (const action of ['CertificateSigned', 'InstallCertificate', 'DataTransfer', 'GetInstalledCertificateIds', 'ExtendedTriggerMessage']) {
      cs.handle(action, ({ params }: any) => {
        received.push({ action, params });
        if (action === 'DataTransfer') {
          const inner = JSON.parse(params.data);
          const data = params.messageId === 'GetInstalledCertificateIds' ? { status: 'NotFound' } : { status: 'Accepted' };
          return { status: 'Accepted', data: JSON.stringify(params.messageId === 'InstallCertificate' && !inner.certificate ? { status: 'Rejected' } : data) };
        }
        if (action === 'GetInstalledCertificateIds') return { status: 'NotFound' };
        return { status: 'Accepted' };
      });
    }
    cs.handle(() => ({}));
    await cs.call('BootNotification', BOOT_16);
  });
  after(async () => {
    await cs?.close({ force: true });
    await gw.cleanup();
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const dataTransfer = async (messageId: string, payload: unknown) => {
    const answer = await cs.call('DataTransfer', { vendorId: PNC, messageId, data: JSON.stringify(payload) });
    assert.equal(answer.status, 'Accepted');
    return JSON.parse(answer.data);
  };

  it('signs a V2G CSR sent in DataTransfer and returns the chain in a DataTransfer CertificateSigned', async () => {
    const answer = await dataTransfer('SignCertificate', { csr: makeCsr(dir, 'v2g', '/CN=PNC-16/O=ACME CPO'), certificateType: 'V2GCertificate' });
    assert.deepEqual(answer, { status: 'Accepted' });
    const sent = await eventually(() => received.find((r) => r.action === 'DataTransfer' && r.params.messageId === 'CertificateSigned'));
    const inner = JSON.parse(sent.params.data);
    assert.equal(inner.certificateType, 'V2GCertificate');
    writeFileSync(join(dir, 'chain.pem'), inner.certificateChain);
    writeFileSync(join(dir, 'leaf.pem'), inner.certificateChain.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/)[0]);
    assert.match(openssl(['verify', '-CAfile', pki.v2gRoot, '-untrusted', 'chain.pem', 'leaf.pem'], dir), /OK/);
  });

  it('takes a SignCertificate in DataTransfer without certificateType as the V2G certificate, answered in DataTransfer (seen: signed as the TLS client certificate)', async () => {
    const before = received.length;
    assert.deepEqual(await dataTransfer('SignCertificate', { csr: makeCsr(dir, 'v2g-plain', '/CN=PNC-16/O=ACME CPO') }), { status: 'Accepted' });
    const sent = await eventually(() => received.slice(before).find((r) => r.action === 'DataTransfer' && r.params.messageId === 'CertificateSigned'));
    assert.equal(JSON.parse(sent.params.data).certificateType, 'V2GCertificate');
    assert.ok(!received.slice(before).some((r) => r.action === 'CertificateSigned'), 'not the whitepaper CertificateSigned');
    const chain = JSON.parse(sent.params.data).certificateChain as string;
    const certs = chain.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)!;
    assert.equal(certs.at(-1)!.replace(/\s/g, ''), readFileSync(pki.v2gRoot, 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/)![0].replace(/\s/g, ''), 'includeRoot: the V2G root ends the chain');
  });

  it('signs the charge point certificate from the whitepaper SignCertificate and sends the whitepaper CertificateSigned', async () => {
    assert.deepEqual(await cs.call('SignCertificate', { csr: makeCsr(dir, 'cp', '/CN=PNC-16/O=ACME CPO') }), { status: 'Accepted' });
    const sent = await eventually(() => received.find((r) => r.action === 'CertificateSigned'));
    writeFileSync(join(dir, 'cp-chain.pem'), sent.params.certificateChain);
    writeFileSync(join(dir, 'cp-leaf.pem'), sent.params.certificateChain.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/)[0]);
    assert.match(openssl(['verify', '-purpose', 'sslclient', '-CAfile', pki.csmsRoot, '-untrusted', 'cp-chain.pem', 'cp-leaf.pem'], dir), /OK/);
    assert.equal(sent.params.certificateChain.match(/BEGIN CERTIFICATE/g).length, 2, 'leaf and sub-CA: this CA does not include its root');
    assert.deepEqual(await cs.call('SignCertificate', { csr: makeCsr(dir, 'cp2', '/CN=SOMEONE-ELSE/O=ACME CPO') }), { status: 'Rejected' });
  });

  it('answers Get15118EVCertificate and GetCertificateStatus in DataTransfer', async () => {
    const exi = await dataTransfer('Get15118EVCertificate', { iso15118SchemaVersion: 'urn:iso:15118:2:2013:MsgDef', action: 'Update', exiRequest: 'QUJD' });
    assert.equal(exi.status, 'Accepted');
    assert.equal(Buffer.from(exi.exiResponse, 'base64').toString(), 'response-to:QUJD');
    const ocsp = await dataTransfer('GetCertificateStatus', { ocspRequestData: { hashAlgorithm: 'SHA256', issuerNameHash: 'aa', issuerKeyHash: 'bb', serialNumber: '1', responderURL: 'http://127.0.0.1:9' } });
    assert.equal(ocsp.status, 'Failed');
  });

  it('reads a station\'s requests inside DataTransfer under its validation policy: a lenient station\'s slip is recorded, not refused', async () => {
    // An extra property: tolerated for a lenient station in any 2.0.1 CALL, so in DataTransfer too.
    const ocsp = await dataTransfer('GetCertificateStatus', { ocspRequestData: { hashAlgorithm: 'SHA256', issuerNameHash: 'aa', issuerKeyHash: 'bb', serialNumber: '1', responderURL: 'http://127.0.0.1:9' }, vendorNote: 'x' });
    assert.equal(ocsp.status, 'Failed', JSON.stringify(ocsp));
    // What no policy tolerates is still refused, with the reason.
    const broken = await cs.call('DataTransfer', { vendorId: PNC, messageId: 'GetCertificateStatus', data: JSON.stringify({}) });
    assert.equal(broken.status, 'Rejected');
    assert.match(JSON.parse(broken.data).error, /ocspRequestData/);
  });

  it('triggers certificate signing: SignV2GCertificate in DataTransfer, the station certificate by ExtendedTriggerMessage', async () => {
    const trigger = (message: string) => fetch(`http://127.0.0.1:${gw.adminPort}/api/stations/PNC-16/commands/trigger`, {
      method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: JSON.stringify({ message }),
    }).then((r) => r.json() as Promise<any>);
    assert.equal((await trigger('SignV2GCertificate')).result, 'Accepted');
    const viaDataTransfer = received.find((r) => r.action === 'DataTransfer' && r.params.messageId === 'TriggerMessage');
    assert.deepEqual(JSON.parse(viaDataTransfer!.params.data), { requestedMessage: 'SignV2GCertificate' });
    assert.equal((await trigger('SignChargingStationCertificate')).result, 'Accepted');
    assert.deepEqual(received.find((r) => r.action === 'ExtendedTriggerMessage')!.params, { requestedMessage: 'SignChargePointCertificate' });
  });

  it('installs roots over the channel each belongs to: V2G and MO roots in DataTransfer, the CSMS root in the whitepaper message', async () => {
    const install = (certificateType: string, file: string) => fetch(`http://127.0.0.1:${gw.adminPort}/api/stations/PNC-16/commands/install-certificate`, {
      method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: JSON.stringify({ certificateType, certificate: readFileSync(file, 'utf8') }),
    }).then((r) => r.json() as Promise<any>);
    assert.equal((await install('V2GRootCertificate', pki.v2gRoot)).result.status, 'Accepted');
    assert.equal((await install('CSMSRootCertificate', pki.csmsRoot)).result.status, 'Accepted');
    const viaDataTransfer = received.filter((r) => r.action === 'DataTransfer' && r.params.messageId === 'InstallCertificate').map((r) => JSON.parse(r.params.data).certificateType);
    assert.deepEqual(viaDataTransfer, ['V2GRootCertificate']);
    assert.deepEqual(received.filter((r) => r.action === 'InstallCertificate').map((r) => r.params.certificateType), ['CentralSystemRootCertificate']);
    const list = await (await fetch(`http://127.0.0.1:${gw.adminPort}/api/stations/PNC-16/certificates`, { headers: { Authorization: `Bearer ${token}` } })).json() as any[];
    assert.deepEqual(list.map((c) => c.certificateType).sort(), ['CSMSRootCertificate', 'V2GCertificate', 'V2GCertificate', 'ChargingStationCertificate', 'V2GRootCertificate'].sort());
  });

  it('refreshes the inventory of a charger that answers `childCertificateHashData: []` (lenient), and of a 1.6 charger without Plug & Charge', async () => {
    const hash = { hashAlgorithm: 'SHA256', issuerNameHash: 'aa11', issuerKeyHash: 'bb22', serialNumber: '0c' };
    const stations: Record<string, any> = {};
    for (const [identity, pncSupport] of [['PNC-16-REAL', true], ['NO-PNC-16', false]] as const) {
      const c = await connectRpcClient(gw.url, identity, 'ocpp1.6');
      c.handle('GetInstalledCertificateIds', () => ({ status: 'Accepted', certificateHashData: [hash] }));
      c.handle('DataTransfer', ({ params }: any) => {
        if (!pncSupport) return { status: 'UnknownVendorId' };
        assert.equal(params.messageId, 'GetInstalledCertificateIds');
        // As a real charger answers: an empty child list where the schema wants it left out.
        return { status: 'Accepted', data: JSON.stringify({ status: 'Accepted', certificateHashDataChain: [{ certificateType: 'V2GRootCertificate', certificateHashData: { ...hash, serialNumber: '0d' }, childCertificateHashData: [] }] }) };
      });
      c.handle(() => ({}));
      await c.call('BootNotification', BOOT_16);
      stations[identity] = c;
    }
    const refresh = (identity: string) => fetch(`http://127.0.0.1:${gw.adminPort}/api/stations/${identity}/commands/refresh-certificates`, {
      method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: '{}',
    }).then(async (r) => ({ status: r.status, body: await r.json() as any }));
    const real = await refresh('PNC-16-REAL');
    assert.equal(real.status, 200, JSON.stringify(real.body));
    assert.ok(real.body.result.some((c: any) => c.certificateType === 'V2GRootCertificate'));
    const plain = await refresh('NO-PNC-16');
    assert.equal(plain.status, 200, JSON.stringify(plain.body));
    assert.ok(plain.body.result.length > 0 && plain.body.result.every((c: any) => ['CSMSRootCertificate', 'ManufacturerRootCertificate'].includes(c.certificateType)), JSON.stringify(plain.body.result));
    for (const c of Object.values(stations)) await c.close({ force: true });
  });
});
