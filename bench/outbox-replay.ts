// Outbox replay after a crash: how fast a restarted gateway publishes the signed events that
// were committed but not yet published when it was killed.
//   node bench/outbox-replay.ts [events=20000] [paces=1000,5000,100000]
// A gateway that publishes 1 event/s takes StatusNotifications from raw `ws` stations, while a
// wallet (its own process) follows their topics, until its outbox holds `events` (an event on
// a topic nobody follows is only archived, not queued); it is killed with SIGKILL; the same
// data folder is started again with each pace, and the time from the "gateway started" line to
// an empty outbox is measured (the node starts publishing the backlog before stations
// reconnect). A wallet follows the topics again from the moment the node has started; what was
// published before it was back reached nobody over gossipsub (the wallet fetches it on follow).
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RawStation } from '../test/helpers/clients.ts';
import { metric } from '../test/helpers/metrics.ts';
import { UNTHROTTLED_STATIONS, spawnGateway } from '../test/helpers/process.ts';

const events = Number(process.argv[2] ?? 20_000);
const paces = (process.argv[3] ?? '1000,5000,100000').split(',').map(Number);
const STATIONS = 50;
const backlog = (admin: string): Promise<number> => metric(admin, 'cgw_outbox_backlog');
// The wallet asks for each topic's past events (50 requests at once when it follows).
const UNTHROTTLED = { CGW_P2P_REQUESTS_PER_SECOND: '100000', CGW_P2P_REQUEST_BURST: '100000' };
const WALLET = fileURLToPath(new URL('./event-wallet.ts', import.meta.url));

/** A wallet in its own process following every station's topic (bench/event-wallet.ts). */
async function follower(p2p: string): Promise<ChildProcess> {
  const wallet = fork(WALLET, [p2p, String(STATIONS), 'RP-'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await once(wallet, 'message');
  return wallet;
}

const crashed = mkdtempSync(join(tmpdir(), 'cgw-bench-replay-'));
const first = await spawnGateway({ CGW_DATA_DIR: crashed, CGW_P2P_MAX_EVENTS_PER_SECOND: '1', CGW_P2P_LISTEN: '["/ip4/127.0.0.1/tcp/0"]', ...UNTHROTTLED, ...UNTHROTTLED_STATIONS }, { timeoutMs: 60_000 });
const watching = await follower(first.p2p[0]!);
const stations = await Promise.all(Array.from({ length: STATIONS }, async (_, i) => {
  const s = await RawStation.connect(`${first.ocppUrl}/RP-${i}`, 'ocpp1.6');
  await s.call('b', 'BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' });
  return s;
}));
let caused = 0;
await Promise.all(stations.map(async (s, i) => {
  for (let n = 0; caused < events; n++) {
    await s.call(`s${n}`, 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status: (n + i) % 2 ? 'Available' : 'Preparing' });
    caused++;
  }
}));
const left = await backlog(first.admin);
await first.kill('SIGKILL');
for (const s of stations) s.ws.terminate();
watching.kill();

console.log(`outbox after SIGKILL: ${left} signed events`);
console.log('| pace setting | start to "gateway started" | replay (backlog to 0) | events/s | published over gossipsub |');
console.log('|---|---|---|---|---|');
for (const pace of paces) {
  const dataDir = mkdtempSync(join(tmpdir(), 'cgw-bench-replay-'));
  cpSync(crashed, dataDir, { recursive: true });
  const spawned = Date.now();
  const gateway = await spawnGateway({ CGW_DATA_DIR: dataDir, CGW_P2P_MAX_EVENTS_PER_SECOND: String(pace), CGW_P2P_LISTEN: '["/ip4/127.0.0.1/tcp/0"]', ...UNTHROTTLED, ...UNTHROTTLED_STATIONS }, { timeoutMs: 60_000 });
  const started = Date.now();
  const wallet = follower(gateway.p2p[0]!);
  while ((await backlog(gateway.admin)) > 0 && Date.now() - started < 300_000) await new Promise((r) => setTimeout(r, 50));
  const replayMs = Date.now() - started;
  const published = await metric(gateway.admin, 'cgw_events_published_total');
  console.log(`| ${pace}/s | ${started - spawned} ms | ${(replayMs / 1000).toFixed(1)} s | ${Math.round(left / (replayMs / 1000))} | ${published} |`);
  (await wallet).kill();
  await gateway.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
}
rmSync(crashed, { recursive: true, force: true });
