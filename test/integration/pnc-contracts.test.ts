// Plug & Charge contracts end to end: the gateway runs as its own process (the real CLI), a
// consumer's libp2p peer registers an eMAID with a signed request, and ocpp-rpc stations
// (2.0.1, and 1.6 through DataTransfer) authorize with it; a real `openssl ocsp` responder
// and openssl-made contract certificates decide whether the contract is still good.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConsumerClient, type GatewayEvent } from '../../src/consumer/client.ts';
import { ConsumerError } from '../../src/consumer/errors.ts';
import { verifyReceipt } from '../../src/consumer/receipts.ts';
import { ed25519Signer } from '../../src/consumer/signer.ts';
import { BOOT_16, BOOT_201, connectRpcClient } from '../helpers/clients.ts';
import { tempDir } from '../helpers/gateway.ts';
import { MoPki, type Contract } from '../helpers/pnc-pki.ts';
import { spawnGateway, type GatewayProcess } from '../helpers/process.ts';
import { eventually } from '../helpers/wait.ts';

const PNC = 'org.openchargealliance.iso15118pnc';
const at = (minute: number) => new Date(Date.UTC(2026, 10, 21, 9, minute)).toISOString();
const energy = (wh: number, timestamp: string) => ({ timestamp, sampledValue: [{ value: wh, measurand: 'Energy.Active.Import.Register' }] });

describe('Plug & Charge contracts: eMAID → consumer → session → receipt', () => {
  let dir: string;
  let mo: MoPki;
  let contract201: Contract;
  let contract16: Contract;
  let revoked: Contract;
  let gateway: GatewayProcess;
  let client: ConsumerClient;
  const stations: any[] = [];
  const wallet = ed25519Signer();

  before(async () => {
    dir = tempDir('cgw-contracts-');
    mo = await MoPki.create(dir);
    contract201 = mo.issue('DEACMC00000021X');
    contract16 = mo.issue('DEACMC00000022X');
    revoked = mo.issue('DEACMC00000023X', 'revoked');
    await mo.startResponder();
    const configFile = join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify({ dataDir: join(dir, 'data'), pnc: { enabled: true, ocsp: { timeoutSec: 3 }, moRootFiles: [mo.rootFile] } }));
    gateway = await spawnGateway({ CGW_CONFIG: configFile });
    client = await ConsumerClient.connect({ gateway: gateway.p2p[0]!, signer: wallet });
  });
  after(async () => {
    for (const s of stations) await s.close({ force: true });
    await client?.close();
    await gateway?.kill('SIGTERM');
    mo.stopResponder();
    rmSync(dir, { recursive: true, force: true });
  });

  it('registers contracts with signed requests; nobody else can take one; malformed eMAIDs are refused', async () => {
    const first = await client.registerContract('DE-ACM-C00000021-X');
    assert.equal(first.emaid, 'DEACMC00000021X');
    assert.ok(Date.parse(first.registeredAt) > 0);
    for (const c of [contract16, revoked]) await client.registerContract(c.emaid);
    assert.deepEqual((await client.registerContract('deacmc00000021x')).contracts, ['DEACMC00000021X', 'DEACMC00000022X', 'DEACMC00000023X']);

    const other = await ConsumerClient.connect({ gateway: gateway.p2p[0]!, signer: ed25519Signer() });
    try {
      await assert.rejects(other.registerContract('DEACMC00000021X'), (err: unknown) => err instanceof ConsumerError && err.code === 'Conflict');
      await assert.rejects(other.registerContract('DEACMC00000021X', { remove: true }), (err: unknown) => err instanceof ConsumerError && err.code === 'NotYourContract');
      await assert.rejects(other.registerContract('not-an-emaid'), (err: unknown) => err instanceof ConsumerError && err.code === 'InvalidRequest' && /not an eMAID/.test(err.message));
    } finally {
      await other.close();
    }
  });

  it('2.0.1: Authorize with the eMAID and OCSP hash data starts a session billed to the consumer, ending in a signed receipt', async () => {
    const events: GatewayEvent[] = [];
    await client.follow(client.topic, (e) => events.push(e));
    const cs = await connectRpcClient(gateway.ocppUrl, 'PNC-EMAID-201', 'ocpp2.0.1', { callConcurrency: 2 });
    stations.push(cs);
    cs.handle(() => ({}));
    await cs.call('BootNotification', BOOT_201);
    await cs.call('StatusNotification', { timestamp: at(0), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 });
    const idToken = { idToken: contract201.emaid, type: 'eMAID' };
    // A station that validated the chain itself sends the eMAID alone; one that repeats its
    // Authorize (two at once) still gets one session, not two.
    const [first, again] = await Promise.all([1, 2].map(() => cs.call('Authorize', { idToken })));
    assert.equal(first.idTokenInfo.status, 'Accepted');
    assert.equal(first.certificateStatus, undefined, 'no certificate was checked, so no certificate status (seen: Accepted)');
    assert.deepEqual(again, first);
    const auth = await cs.call('Authorize', { idToken, iso15118CertificateHashData: [mo.hashData(contract201)] });
    assert.equal(auth.idTokenInfo.status, 'Accepted');
    assert.equal(auth.certificateStatus, 'Accepted');
    const token = readFileSync(join(dir, 'data', 'admin.token'), 'utf8').trim();
    const stationState = await (await fetch(`${gateway.admin}/api/stations/PNC-EMAID-201`, { headers: { Authorization: `Bearer ${token}` } })).json() as any;
    assert.equal(Object.keys(stationState.sessions).length, 1);

    const base = { transactionInfo: { transactionId: 'pnc-tx-1', chargingState: 'Charging' }, evse: { id: 1, connectorId: 1 } };
    const started = await cs.call('TransactionEvent', { ...base, eventType: 'Started', timestamp: at(1), triggerReason: 'Authorized', seqNo: 0, idToken, meterValue: [energy(10_000, at(1))] });
    assert.equal(started.idTokenInfo.status, 'Accepted');
    await cs.call('TransactionEvent', { ...base, eventType: 'Updated', timestamp: at(20), triggerReason: 'MeterValuePeriodic', seqNo: 1, meterValue: [energy(16_000, at(20))] });
    await cs.call('TransactionEvent', { ...base, eventType: 'Ended', timestamp: at(30), triggerReason: 'EVCommunicationLost', seqNo: 2, transactionInfo: { ...base.transactionInfo, stoppedReason: 'EVDisconnected' }, meterValue: [energy(18_000, at(30))] });

    await eventually(() => events.some((e) => e.event.eventId === 'STOP_TRANSACTION_RESPONSE'), 10_000, `events: ${events.map((e) => e.event.eventId).join(',')}`);
    const stop = events.find((e) => e.event.eventId === 'STOP_TRANSACTION_RESPONSE')!;
    const receipt = await verifyReceipt(stop.envelope, client.gatewayKey);
    assert.equal(receipt.energyWh, 8_000);
    assert.equal(receipt.consumerPublicKey, wallet.address);
    assert.equal(receipt.station, 'PNC-EMAID-201');
    assert.ok(events.some((e) => e.event.eventId === 'START_TRANSACTION_RESPONSE'), 'the consumer heard of the start');
    const status = await client.status('PNC-EMAID-201');
    assert.equal(status.session?.state, 'stopped');
    assert.equal(status.session?.contract, 'DEACMC00000021X');
    assert.equal(status.session?.stoppedBy, 'station');
  });

  it('1.6 over DataTransfer: Authorize with a plain-string idToken and the contract chain (MO root, then OCSP), then a transaction with the eMAID', async () => {
    const cs = await connectRpcClient(gateway.ocppUrl, 'PNC-EMAID-16', 'ocpp1.6');
    stations.push(cs);
    cs.handle(() => ({}));
    await cs.call('BootNotification', BOOT_16);
    await cs.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing' });
    // The eMAID alone (the station checked the chain): no certificate was checked, so no certificate status.
    const bare = await cs.call('DataTransfer', { vendorId: PNC, messageId: 'Authorize', data: JSON.stringify({ idToken: contract16.emaid }) });
    const bareAuth = JSON.parse(bare.data);
    assert.equal(bareAuth.idTokenInfo.status, 'Accepted');
    assert.equal(bareAuth.certificateStatus, undefined, 'no certificate was checked, so no certificate status (seen: Accepted)');
    const answer = await cs.call('DataTransfer', { vendorId: PNC, messageId: 'Authorize', data: JSON.stringify({ idToken: contract16.emaid, certificate: contract16.pem }) });
    assert.equal(answer.status, 'Accepted');
    const auth = JSON.parse(answer.data);
    assert.equal(auth.idTokenInfo.status, 'Accepted');
    assert.equal(auth.certificateStatus, 'Accepted');
    const { transactionId, idTagInfo } = await cs.call('StartTransaction', { connectorId: 1, idTag: contract16.emaid, meterStart: 1_000, timestamp: at(0) });
    assert.equal(idTagInfo.status, 'Accepted');
    await cs.call('StopTransaction', { transactionId, meterStop: 4_000, timestamp: at(15), reason: 'EVDisconnected' });
    const status = await eventually(async () => {
      const s = await client.status('PNC-EMAID-16');
      return s.session?.state === 'stopped' ? s : undefined;
    });
    assert.equal(status.session!.receipt!.energyWh, 3_000);
    assert.equal(status.session!.contract, 'DEACMC00000022X');
  });

  it('refuses unknown, revoked and mismatched contracts, and what is not Plug & Charge', async () => {
    const cs = await connectRpcClient(gateway.ocppUrl, 'PNC-EMAID-REF', 'ocpp2.0.1');
    stations.push(cs);
    cs.handle(() => ({}));
    await cs.call('BootNotification', BOOT_201);
    const unknown = await cs.call('Authorize', { idToken: { idToken: 'DEACMC00000099X', type: 'eMAID' } });
    assert.deepEqual(unknown, { idTokenInfo: { status: 'Unknown' } });
    const rev = await cs.call('Authorize', { idToken: { idToken: revoked.emaid, type: 'eMAID' }, iso15118CertificateHashData: [mo.hashData(revoked)] });
    assert.deepEqual(rev, { idTokenInfo: { status: 'Invalid' }, certificateStatus: 'CertificateRevoked' });
    const revokedChain = await cs.call('Authorize', { idToken: { idToken: revoked.emaid, type: 'eMAID' }, certificate: revoked.pem });
    assert.equal(revokedChain.certificateStatus, 'CertificateRevoked', 'the chain names the responder, which says revoked');
    const mismatch = await cs.call('Authorize', { idToken: { idToken: contract201.emaid, type: 'eMAID' }, certificate: contract16.pem });
    assert.deepEqual(mismatch, { idTokenInfo: { status: 'Invalid' }, certificateStatus: 'CertChainError' });

    const cs16 = await connectRpcClient(gateway.ocppUrl, 'PNC-EMAID-REF16', 'ocpp1.6');
    stations.push(cs16);
    await cs16.call('BootNotification', BOOT_16);
    assert.deepEqual(await cs16.call('DataTransfer', { vendorId: PNC, messageId: 'Nope', data: '{}' }), { status: 'UnknownMessageId' });
    assert.deepEqual(await cs16.call('DataTransfer', { vendorId: 'com.example', messageId: 'Authorize', data: '{}' }), { status: 'UnknownVendorId' });
    const bad = await cs16.call('DataTransfer', { vendorId: PNC, messageId: 'GetCertificateStatus', data: JSON.stringify({ ocspRequestData: { hashAlgorithm: 'MD5' } }) });
    assert.equal(bad.status, 'Rejected');
    assert.match(JSON.parse(bad.data).error, /hashAlgorithm|required/);
  });
});
