// Signed events per second to one subscriber, and how the gateway paces under overload.
//   node bench/event-throughput.ts [paces=1000,2500,5000,10000] [seconds=5] [stations=50]
// For each configured pace (p2p.maxEventsPerSecond) a fresh gateway (the real CLI, its own
// process) takes StatusNotifications from raw `ws` stations as fast as they can send them
// (each change is one signed event on the station's topic). One wallet (ConsumerClient, libp2p)
// follows every station topic. Counted: events the stations caused, events that reached the
// wallet live over gossipsub during the load, the outbox backlog when the load stops, how long
// the backlog takes to drain, and whether the wallet ends with every event (gaps are fetched
// from the gateway, as the SDK does).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Message } from '@libp2p/gossipsub';
import { ConsumerClient } from '../src/consumer/client.ts';
import { ed25519Signer } from '../src/consumer/signer.ts';
import { stationTopic } from '../src/p2p/protocol.ts';
import { RawStation } from '../test/helpers/clients.ts';
import { spawnGateway } from '../test/helpers/process.ts';

// BENCH_PROFILE=dir writes a V8 CPU profile of the gateway into dir.
const profileArgs = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
const paces = (process.argv[2] ?? '1000,2500,5000,10000').split(',').map(Number);
const seconds = Number(process.argv[3] ?? 5);
const stationCount = Number(process.argv[4] ?? 50);
const STATUSES = ['Available', 'Preparing'];
// Stations here send as fast as they are answered: above the per-station rate limit.
const UNTHROTTLED = { CGW_OCPP_MAX_MESSAGES_PER_SECOND: '1000000', CGW_OCPP_MESSAGE_BURST: '1000000' };

async function backlog(admin: string): Promise<number> {
  const text = await (await fetch(`${admin}/metrics`)).text();
  return Number(/^cgw_outbox_backlog (\d+)/m.exec(text)?.[1] ?? NaN);
}

console.log('| pace setting | events caused/s | live to wallet/s | live share | backlog at end of load | drain | wallet complete after catch-up |');
console.log('|---|---|---|---|---|---|---|');
for (const pace of paces) {
  const dataDir = mkdtempSync(join(tmpdir(), 'cgw-bench-ev-'));
  const gateway = await spawnGateway({ CGW_DATA_DIR: dataDir, CGW_P2P_MAX_EVENTS_PER_SECOND: String(pace), CGW_P2P_REQUESTS_PER_SECOND: '1000', CGW_P2P_REQUEST_BURST: '1000', CGW_P2P_LISTEN: '["/ip4/127.0.0.1/tcp/0"]', ...UNTHROTTLED }, { timeoutMs: 60_000, nodeArgs: profileArgs });
  const identities = Array.from({ length: stationCount }, (_, i) => `EV-${i}`);
  const stations = await Promise.all(identities.map(async (id) => {
    const s = await RawStation.connect(`${gateway.ocppUrl}/${id}`, 'ocpp1.6');
    await s.call('b', 'BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' });
    return s;
  }));
  const wallet = await ConsumerClient.connect({ gateway: gateway.p2p[0]!, signer: ed25519Signer() });
  let live = 0;
  let loading = true;
  wallet.node.services.pubsub.addEventListener('message', (evt: CustomEvent<Message>) => {
    if (loading && evt.detail.topic.startsWith('cgw/v1/station/')) live++;
  });
  const delivered = new Map<string, number>();
  for (const id of identities) await wallet.follow(stationTopic(id), (e) => delivered.set(e.topic, e.seq));
  await new Promise((r) => setTimeout(r, 2_000)); // the gossipsub mesh forms on heartbeats
  const seqBefore = [...delivered.values()].reduce((a, b) => a + b, 0);
  live = 0;

  let caused = 0;
  const until = Date.now() + seconds * 1000;
  await Promise.all(stations.map(async (s, i) => {
    for (let n = 0; Date.now() < until; n++) {
      await s.call(`s${n}`, 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status: STATUSES[(n + i) % 2] });
      caused++;
    }
  }));
  loading = false;
  const liveCount = live;
  const left = await backlog(gateway.admin);
  const drainStart = Date.now();
  while ((await backlog(gateway.admin)) > 0 && Date.now() - drainStart < 120_000) await new Promise((r) => setTimeout(r, 100));
  const drainMs = Date.now() - drainStart;
  // Whatever gossipsub did not bring, the wallet fetches (as after any gap).
  for (const id of identities) await wallet.follow(stationTopic(id), (e) => delivered.set(e.topic, e.seq), delivered.get(stationTopic(id)) ?? 0);
  const total = [...delivered.values()].reduce((a, b) => a + b, 0) - seqBefore;

  console.log(`| ${pace}/s | ${Math.round(caused / seconds)} | ${Math.round(liveCount / seconds)} | ${((100 * liveCount) / Math.max(1, total)).toFixed(0)}% | ${left} | ${(drainMs / 1000).toFixed(1)} s | ${total === caused ? 'yes' : `no: ${total} of ${caused}`} |`);
  await wallet.close();
  for (const s of stations) s.ws.terminate();
  await gateway.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
}
