// Signed events per second to one subscriber, and how the gateway paces under overload.
//   node bench/event-throughput.ts [paces=1000,2000,3000,4000,5000,10000] [seconds=5] [stations=50]
// For each configured pace (p2p.maxEventsPerSecond) a fresh gateway (the real CLI, its own
// process) takes StatusNotifications from raw `ws` stations as fast as they are answered (each
// change is one signed event on the station's topic). One wallet (the SDK over libp2p) follows
// every station topic. Stations (status-load.ts) and wallet (event-wallet.ts) run in processes of
// their own, so this one only keeps time. Counted: events the stations caused, events that reached the
// wallet live over gossipsub during the load, the outbox backlog when the load stops, how long
// the backlog takes to drain, and whether the wallet ends with every event (gaps are fetched
// from the gateway, as the SDK does).
import { fork, type ChildProcess, type Serializable } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { metric } from '../test/helpers/metrics.ts';
import { cpuMicrosOf } from './process-cpu.ts';
import { UNTHROTTLED_STATIONS, spawnGateway } from '../test/helpers/process.ts';

// BENCH_PROFILE=dir writes a V8 CPU profile of the gateway into dir.
const profileArgs = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
const paces = (process.argv[2] ?? '1000,2000,3000,4000,5000,10000').split(',').map(Number);
const seconds = Number(process.argv[3] ?? 5);
const stationCount = Number(process.argv[4] ?? 50);
// BENCH_FOLLOWED=<n>: the wallet follows only the first n station topics (0: none, to see the
// stations' rate without a follower).
const followed = process.env.BENCH_FOLLOWED ?? String(stationCount);
const backlog = (admin: string): Promise<number> => metric(admin, 'cgw_outbox_backlog');

console.log('| pace setting | events caused/s | published/s | live to wallet/s | published that arrived live | backlog at end of load | drain | wallet complete after catch-up | CPU during the load: gateway / wallet / stations |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const pace of paces) {
  const dataDir = mkdtempSync(join(tmpdir(), 'cgw-bench-ev-'));
  const gateway = await spawnGateway({ CGW_DATA_DIR: dataDir, CGW_P2P_MAX_EVENTS_PER_SECOND: String(pace), CGW_P2P_REQUESTS_PER_SECOND: '1000', CGW_P2P_REQUEST_BURST: '1000', CGW_P2P_LISTEN: '["/ip4/127.0.0.1/tcp/0"]', ...UNTHROTTLED_STATIONS }, { timeoutMs: 60_000, nodeArgs: profileArgs });
  const load = fork(fileURLToPath(new URL('./status-load.ts', import.meta.url)), [gateway.ocppUrl, String(stationCount)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await once(load, 'message');
  const wallet = fork(fileURLToPath(new URL('./event-wallet.ts', import.meta.url)), [gateway.p2p[0]!, followed], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = async <T>(child: ChildProcess, msg: Serializable): Promise<T> => {
    const answer = once(child, 'message');
    child.send(msg);
    return ((await answer) as [T])[0];
  };
  await once(wallet, 'message');
  await ask(wallet, 'mark');
  const publishedBefore = await metric(gateway.admin, 'cgw_events_published_total');
  // Which process was busy: each one's CPU over the window, as a share of one core.
  const pids = [gateway.child.pid!, wallet.pid!, load.pid!];
  const cpuBefore = pids.map(cpuMicrosOf);
  const loadStart = performance.now();
  const { caused } = await ask<{ caused: number }>(load, { seconds });
  const window = (performance.now() - loadStart) / 1000;
  const busy = pids.map((pid, i) => `${Math.round((cpuMicrosOf(pid) - cpuBefore[i]!) / (window * 1e4))}%`).join(' / ');
  const { live: liveCount } = await ask<{ live: number }>(wallet, 'count');
  const left = await backlog(gateway.admin);
  const published = (await metric(gateway.admin, 'cgw_events_published_total')) - publishedBefore;
  const drainStart = Date.now();
  while ((await backlog(gateway.admin)) > 0 && Date.now() - drainStart < 120_000) await new Promise((r) => setTimeout(r, 100));
  const drainMs = Date.now() - drainStart;
  // Whatever gossipsub did not bring, the wallet fetches (as after any gap).
  const { total } = await ask<{ total: number }>(wallet, 'complete');

  console.log(`| ${pace}/s | ${Math.round(caused / window)} | ${Math.round(published / window)} | ${Math.round(liveCount / window)} | ${((100 * liveCount) / Math.max(1, published)).toFixed(0)}% | ${left} | ${(drainMs / 1000).toFixed(1)} s | ${total === caused ? 'yes' : `no: ${total} of ${caused}`} | ${busy} |`);
  wallet.send('exit');
  load.send({ exit: true });
  await Promise.all([once(load, 'exit'), once(wallet, 'exit')]);
  await gateway.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
}
