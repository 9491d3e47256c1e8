// Firmware and logs (issue #18): images uploaded through the admin API and downloaded by the
// stations over real HTTP from the OCPP port, updates in each station's version with progress
// from its status notifications, rollouts a few stations at a time, and logs uploaded by the
// stations to one-time URLs. The stations are ocpp-rpc clients in strict mode that do what a
// charger does with the URLs they are given.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { BOOT_16, BOOT_201, connectRpcClient, type OcppVersionName } from '../helpers/clients.ts';
import { adminApi } from '../helpers/admin.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { eventually } from '../helpers/wait.ts';

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

interface Station {
  client: any;
  requests: { action: string; params: any }[];
  downloads: Buffer[];
  /** The statuses it reports for the next update; a download that fails reports DownloadFailed. */
  failNext: boolean;
  updating: number;
  maxUpdating: number;
  /** Reports Downloading before it answers the update request, as a quick charger may. */
  quick: boolean;
}

async function station(url: string, identity: string, version: OcppVersionName): Promise<Station> {
  const client = await connectRpcClient(url, identity, version);
  const s: Station = { client, requests: [], downloads: [], failNext: false, updating: 0, maxUpdating: 0, quick: false };
  const v16 = version === 'ocpp1.6';
  const report = (status: string, requestId?: number) => (requestId === undefined
    ? client.call('FirmwareStatusNotification', { status })
    : client.call(v16 ? 'SignedFirmwareStatusNotification' : 'FirmwareStatusNotification', { status, requestId }));
  const install = async (location: string, requestId?: number) => {
    s.updating++;
    s.maxUpdating = Math.max(s.maxUpdating, s.updating);
    try {
      if (!s.quick) await report('Downloading', requestId);
      const res = await fetch(s.failNext ? `${location}-missing` : location);
      s.failNext = false;
      if (!res.ok) {
        await report('DownloadFailed', requestId);
        return;
      }
      s.downloads.push(Buffer.from(await res.arrayBuffer()));
      await report('Downloaded', requestId);
      await report('Installing', requestId);
      await report('Installed', requestId);
    } finally {
      s.updating--;
    }
  };
  const later = (job: () => Promise<void>) => setTimeout(() => { job().catch(() => undefined); }, 50);
  client.handle('UpdateFirmware', async ({ params }: { params: any }) => {
    s.requests.push({ action: 'UpdateFirmware', params });
    if (v16) {
      later(() => install(params.location));
      return {};
    }
    if (s.quick) await report('Downloading', params.requestId);
    later(() => install(params.firmware.location, params.requestId));
    return { status: 'Accepted' };
  });
  client.handle('SignedUpdateFirmware', ({ params }: { params: any }) => {
    s.requests.push({ action: 'SignedUpdateFirmware', params });
    later(() => install(params.firmware.location, params.requestId));
    return { status: 'Accepted' };
  });
  client.handle('GetDiagnostics', ({ params }: { params: any }) => {
    s.requests.push({ action: 'GetDiagnostics', params });
    return { fileName: 'diag.log' };
  });
  client.handle('GetLog', ({ params }: { params: any }) => {
    s.requests.push({ action: 'GetLog', params });
    return { status: 'Accepted', filename: 'security.log' };
  });
  client.handle('GetLocalListVersion', () => (v16 ? { listVersion: 0 } : { versionNumber: 0 }));
  await client.call('BootNotification', v16 ? BOOT_16 : BOOT_201);
  return s;
}

describe('firmware and logs', () => {
  let gw: TestGateway;
  let token: string;
  const stations: Record<string, Station> = {};
  const api = adminApi(() => `http://127.0.0.1:${gw.adminPort}`, () => gw.config.dataDir);
  const image = randomBytes(300_000);

  before(async () => {
    gw = await startTestGateway({
      stations: { configuration: { readOnConnect: false } },
      ocpp: { maxPendingPerAddress: 6 },
      files: { maxFirmwareBytes: 1_000_000, maxLogBytes: 20_000, logBytesPerStation: 50_000 },
    });
    token = readFileSync(join(gw.config.dataDir, 'admin.token'), 'utf8').trim();
    stations['FW-16'] = await station(gw.url, 'FW-16', 'ocpp1.6');
    stations['FW-201'] = await station(gw.url, 'FW-201', 'ocpp2.0.1');
    for (const id of ['FW-R1', 'FW-R2', 'FW-R3']) stations[id] = await station(gw.url, id, 'ocpp1.6');
  });
  after(async () => {
    for (const s of Object.values(stations)) await s.client.close();
    await gw.cleanup();
  });

  it('keeps an uploaded image only when its bytes are what the operator says, and only once', async () => {
    const wrong = await api('POST', `/api/firmware?name=fw-2.1.bin&sha256=${'0'.repeat(64)}`, image);
    assert.equal(wrong.status, 400, JSON.stringify(wrong.body));
    assert.match(wrong.body.error, /sha256/);
    const tooLarge = await api('POST', '/api/firmware?name=big.bin', randomBytes(1_000_001));
    assert.equal(tooLarge.status, 413, JSON.stringify(tooLarge.body));
    const badName = await api('POST', '/api/firmware?name=../x', image);
    assert.equal(badName.status, 400);
    assert.deepEqual((await api('GET', '/api/firmware')).body, [], 'nothing was kept');
    assert.deepEqual(readdirSync(join(gw.config.dataDir, 'files', 'firmware')), [], 'no partial file is left');

    const made = await api('POST', `/api/firmware?name=fw-2.1.bin&sha256=${sha256(image)}`, image);
    assert.equal(made.status, 201, JSON.stringify(made.body));
    assert.deepEqual([made.body.id, made.body.size, made.body.name], [sha256(image), image.length, 'fw-2.1.bin']);
    const again = await api('POST', '/api/firmware?name=other.bin', image);
    assert.deepEqual([again.status, again.body.id, again.body.name], [200, sha256(image), 'fw-2.1.bin']);
  });

  it('updates a 1.6 station over HTTP from the OCPP port and follows its statuses to Installed', async () => {
    const cp = stations['FW-16']!;
    const sent = await api('POST', '/api/stations/FW-16/firmware', { image: sha256(image) });
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    const request = cp.requests.at(-1)!;
    assert.equal(request.action, 'UpdateFirmware');
    assert.match(request.params.location, new RegExp(`^http://127\\.0\\.0\\.1:${new URL(gw.url).port}/files/firmware/${sha256(image)}/fw-2\\.1\\.bin$`));
    await eventually(async () => (await api('GET', '/api/stations/FW-16/firmware')).body.update?.status === 'Installed', 10_000, 'no Installed');
    assert.equal(sha256(cp.downloads.at(-1)!), sha256(image), 'the station got the image byte for byte');
    const { update } = (await api('GET', '/api/stations/FW-16/firmware')).body;
    assert.deepEqual(update.history.map((h: any) => h.status), ['Accepted', 'Downloading', 'Downloaded', 'Installing', 'Installed']);
    assert.equal(update.ended, true);
    // A resumed download gets the rest.
    const rest = await fetch(request.params.location, { headers: { Range: 'bytes=1000-' } });
    assert.equal(rest.status, 206);
    assert.deepEqual(Buffer.from(await rest.arrayBuffer()), image.subarray(1000));
  });

  it('keeps the statuses a station reports before its answer to the update is stored (seen: Downloading lost)', async () => {
    const cp = await station(gw.url, 'FW-QUICK', 'ocpp2.0.1');
    stations['FW-QUICK'] = cp;
    cp.quick = true;
    const sent = await api('POST', '/api/stations/FW-QUICK/firmware', { image: sha256(image) });
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    // Its answer stands on its own in the response, whatever it reported first (seen: the CLI printed Downloading).
    assert.equal(sent.body.answer, 'Accepted');
    await eventually(async () => (await api('GET', '/api/stations/FW-QUICK/firmware')).body.update?.status === 'Installed', 10_000, 'no Installed');
    const { update } = (await api('GET', '/api/stations/FW-QUICK/firmware')).body;
    assert.deepEqual(update.history.map((h: any) => h.status), ['Accepted', 'Downloading', 'Downloaded', 'Installing', 'Installed']);
  });

  it('sends a signed image with its signature: SignedUpdateFirmware to 1.6, UpdateFirmware to 2.0.1', async () => {
    const certificate = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const onlyHalf = await api('PUT', `/api/firmware/${sha256(image)}`, { signature: 'c2lnbmF0dXJl' });
    assert.equal(onlyHalf.status, 400);
    const described = await api('PUT', `/api/firmware/${sha256(image)}`, { signature: 'c2lnbmF0dXJl', signingCertificate: certificate });
    assert.equal(described.status, 200, JSON.stringify(described.body));
    for (const [identity, action] of [['FW-16', 'SignedUpdateFirmware'], ['FW-201', 'UpdateFirmware']] as const) {
      const cp = stations[identity]!;
      const sent = await api('POST', `/api/stations/${identity}/firmware`, { image: sha256(image) });
      assert.equal(sent.status, 200, JSON.stringify(sent.body));
      const request = cp.requests.at(-1)!;
      assert.equal(request.action, action);
      assert.deepEqual([request.params.firmware.signature, request.params.firmware.signingCertificate, request.params.requestId], ['c2lnbmF0dXJl', certificate, sent.body.requestId]);
      await eventually(async () => (await api('GET', `/api/stations/${identity}/firmware`)).body.update?.status === 'Installed', 10_000, `no Installed from ${identity}`);
    }
    // A status for another request changes nothing.
    await stations['FW-201']!.client.call('FirmwareStatusNotification', { status: 'InstallationFailed', requestId: 1 });
    assert.equal((await api('GET', '/api/stations/FW-201/firmware')).body.update.status, 'Installed');
    // An image in use by nothing may go; its file goes with it.
    await api('PUT', `/api/firmware/${sha256(image)}`, { signature: '', signingCertificate: '' });
  });

  it('lets downloads that stall hold no place among the sockets waiting for their upgrade (seen: 100 paused downloads locked out their address)', async () => {
    const { port } = new URL(gw.url);
    const location = stations['FW-16']!.requests.find((r) => r.action === 'UpdateFirmware')!.params.location as string;
    // Opened one after the other: ten sockets connecting at once are more than the address may
    // have waiting for their first request (6 here), which is not what this is about.
    const stalled = [];
    for (let i = 0; i < 10; i++) {
      const socket = connect({ host: '127.0.0.1', port: Number(port) });
      socket.on('error', () => {});
      await once(socket, 'connect');
      socket.write(`GET ${new URL(location).pathname} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      // It reads the first bytes, then nothing more.
      await once(socket, 'data');
      socket.pause();
      stalled.push(socket);
    }
    // Asking for nothing holds no place either, and every answer closes its connection (seen: a
    // kept-alive socket after a 404 escaped the caps).
    const asking: string[] = [];
    // One after the other: more at once than the cap from this address would be refused by it.
    for (let i = 0; i < 10; i++) asking.push(await (async () => {
      const socket = connect({ host: '127.0.0.1', port: Number(port) });
      socket.on('error', () => {});
      await once(socket, 'connect');
      socket.write('HEAD /files/firmware/nothing/here HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
      let answer = '';
      socket.on('data', (c: Buffer) => { answer += c.toString(); });
      await once(socket, 'close');
      return answer;
    })());
    for (const answer of asking) assert.match(answer, /^HTTP\/1\.1 404 [\s\S]*Connection: close/i);
    const late = await connectRpcClient(gw.url, 'FW-LATE', 'ocpp1.6');
    assert.equal((await late.call('BootNotification', BOOT_16)).status, 'Accepted', 'a station from the same address still gets in');
    await late.close();
    for (const socket of stalled) socket.destroy();
  });

  it('rolls an image out one station at a time and carries on past a station whose download fails', async () => {
    stations['FW-R2']!.failNext = true;
    const started = await api('POST', '/api/rollouts', { image: sha256(image), stations: ['FW-R1', 'FW-R2', 'FW-R3'], maxParallel: 1 });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    await eventually(async () => (await api('GET', `/api/rollouts/${started.body.id}`)).body.state === 'finished', 20_000, 'the rollout did not finish');
    const done = (await api('GET', `/api/rollouts/${started.body.id}`)).body;
    assert.deepEqual(done.stations.map((s: any) => [s.identity, s.state, s.reason]), [['FW-R1', 'installed', 'Installed'], ['FW-R2', 'failed', 'DownloadFailed'], ['FW-R3', 'installed', 'Installed']]);
    // Never two at once: each started after the one before had ended.
    for (let i = 1; i < 3; i++) assert.ok(done.stations[i].startedAt >= done.stations[i - 1].endedAt, JSON.stringify(done.stations));
    const inUse = await api('DELETE', `/api/firmware/${sha256(image)}`);
    assert.equal(inUse.status, 200, 'no update runs with it any more');
    assert.equal(existsSync(join(gw.config.dataDir, 'files', 'firmware', sha256(image))), false);
    assert.equal((await fetch(stations['FW-16']!.requests.find((r) => r.action === 'UpdateFirmware')!.params.location)).status, 404);
  });

  it('takes a 1.6 diagnostics upload once at its one-time URL and gives it to the operator', async () => {
    const cp = stations['FW-16']!;
    const asked = await api('POST', '/api/stations/FW-16/logs', {});
    assert.equal(asked.status, 200, JSON.stringify(asked.body));
    assert.deepEqual([asked.body.logType, asked.body.status, asked.body.stationFileName, asked.body.tokenHash], ['Diagnostics', 'Accepted', 'diag.log', undefined]);
    const { location } = cp.requests.at(-1)!.params;
    const wrongToken = await fetch(location.replace(/\/[^/]+$/, '/not-the-token') + '/diag.log', { method: 'PUT', body: 'x' });
    assert.equal(wrongToken.status, 404);
    await cp.client.call('DiagnosticsStatusNotification', { status: 'Uploading' });
    const log = randomBytes(10_000);
    // As a 1.6 charger names its file: the location, then the file name.
    const put = await fetch(`${location}/diag.log`, { method: 'PUT', body: log });
    assert.equal(put.status, 201, await put.text());
    await cp.client.call('DiagnosticsStatusNotification', { status: 'Uploaded' });
    const again = await fetch(`${location}/diag.log`, { method: 'PUT', body: log });
    assert.equal(again.status, 410, 'a link takes one file');
    await eventually(async () => (await api('GET', '/api/stations/FW-16/logs')).body[0].status === 'Uploaded', 5_000, 'no Uploaded');
    const listed = (await api('GET', '/api/stations/FW-16/logs')).body[0];
    assert.deepEqual([listed.status, listed.fileName, listed.size, listed.sha256], ['Uploaded', 'diag.log', log.length, sha256(log)]);
    const file = await fetch(`http://127.0.0.1:${gw.adminPort}/api/stations/FW-16/logs/${listed.requestId}/file`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(file.status, 200);
    assert.deepEqual(Buffer.from(await file.arrayBuffer()), log);
  });

  it('keeps each received file and its status when the station reports the status while its upload ends (seen: records lost either)', async () => {
    const cp = stations['FW-16']!;
    const sent: number[] = [];
    for (let i = 0; i < 12; i++) {
      const asked = await api('POST', '/api/stations/FW-16/logs', { logType: 'SecurityLog' });
      const { remoteLocation } = cp.requests.at(-1)!.params.log;
      await Promise.all([
        fetch(remoteLocation, { method: 'PUT', body: randomBytes(1_000) }).then((r) => assert.equal(r.status, 201)),
        cp.client.call('LogStatusNotification', { status: 'Uploaded', requestId: asked.body.requestId }),
      ]);
      sent.push(asked.body.requestId);
    }
    await eventually(async () => {
      const listed = (await api('GET', '/api/stations/FW-16/logs')).body as any[];
      return sent.every((id) => { const u = listed.find((x) => x.requestId === id); return u?.status === 'Uploaded' && u.receivedAt && u.size === 1_000; });
    }, 5_000, 'a received file or its status was lost');
  });

  it('keeps a station\'s files apart from everything else whatever its identity (seen: deleting station "../firmware" took the images)', async () => {
    const sneaky = await connectRpcClient(gw.url, encodeURIComponent('../firmware'), 'ocpp1.6');
    sneaky.handle('GetDiagnostics', () => ({ fileName: 'x.log' }));
    sneaky.handle('GetLocalListVersion', () => ({ listVersion: 0 }));
    await sneaky.call('BootNotification', BOOT_16);
    const image2 = randomBytes(1_000);
    assert.equal((await api('POST', '/api/firmware?name=keep.bin', image2)).status, 201);
    const path = `/api/stations/${encodeURIComponent(encodeURIComponent('../firmware'))}`;
    const asked = await api('POST', `${path}/logs`, {});
    assert.equal(asked.status, 200, JSON.stringify(asked.body));
    await sneaky.close();
    assert.equal((await api('DELETE', path)).status, 200);
    const image = await fetch(`http://127.0.0.1:${new URL(gw.url).port}/files/firmware/${sha256(image2)}/keep.bin`);
    assert.equal(image.status, 200, 'the images are where they were');
    assert.deepEqual(Buffer.from(await image.arrayBuffer()), image2);
  });

  it('takes a 2.0.1 GetLog as a multipart form, refuses a file over the size limit, and keeps a station\'s files within its budget', async () => {
    const cp = stations['FW-201']!;
    const uploadAs = async (bytes: Buffer) => {
      const asked = await api('POST', '/api/stations/FW-201/logs', { logType: 'SecurityLog' });
      assert.equal(asked.status, 200, JSON.stringify(asked.body));
      const request = cp.requests.at(-1)!;
      assert.deepEqual([request.action, request.params.logType, request.params.requestId], ['GetLog', 'SecurityLog', asked.body.requestId]);
      const form = new FormData();
      form.append('note', 'not the file');
      form.append('file', new Blob([bytes]), 'security.log');
      const r = await fetch(request.params.log.remoteLocation, { method: 'POST', body: form });
      return { status: r.status, requestId: asked.body.requestId as number };
    };
    const tooLarge = await uploadAs(randomBytes(20_001));
    assert.equal(tooLarge.status, 413);
    const files = [randomBytes(19_000), randomBytes(19_000), randomBytes(19_000)];
    const ids: number[] = [];
    for (const f of files) {
      const r = await uploadAs(f);
      assert.equal(r.status, 201);
      ids.push(r.requestId);
    }
    await cp.client.call('LogStatusNotification', { status: 'Uploaded', requestId: ids[2] });
    // The status is recorded once the notification is answered.
    await eventually(async () => (await api('GET', '/api/stations/FW-201/logs')).body.find((u: any) => u.requestId === ids[2]).status === 'Uploaded', 5_000, 'no Uploaded');
    const listed = (await api('GET', '/api/stations/FW-201/logs')).body as any[];
    // 3 × 19,000 bytes do not fit 50,000: the oldest file went.
    assert.deepEqual(listed.filter((u) => u.receivedAt).map((u) => u.requestId).sort(), [ids[1], ids[2]].sort());
    const file = await fetch(`http://127.0.0.1:${gw.adminPort}/api/stations/FW-201/logs/${ids[2]}/file`, { headers: { Authorization: `Bearer ${token}` } });
    assert.deepEqual(Buffer.from(await file.arrayBuffer()), files[2]);
    const gone = await api('GET', `/api/stations/FW-201/logs/${ids[0]}/file`);
    assert.equal(gone.status, 404);
  });
});
