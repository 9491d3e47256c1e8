// Consumer session latency: a signed libp2p request -> remote start -> the station's
// StartTransaction -> the gateway's signed answer, p50 and p99, with 1, 100 and 1,000 sessions
// in parallel; the same for stop (remote stop -> StopTransaction -> signed receipt).
//   node bench/session-latency.ts [levels=1,100,1000] [repeats=3]
// BENCH_SCHEME=sr25519: the wallets sign with sr25519 (as peaq wallets do) instead of ed25519.
// The gateway is the real CLI in its own process; chargers (ocpp-rpc) and wallets (libp2p)
// run in their own processes. Rate limits are raised: many wallets share one libp2p node here
// (ConsumerClient.as), where in the field each has its own, and each station runs sessions
// back to back.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UNTHROTTLED_STATIONS, spawnGateway } from '../test/helpers/process.ts';
import { cpuMicrosOf } from './process-cpu.ts';

// BENCH_PROFILE=dir writes a V8 CPU profile of the gateway into dir.
const profileArgs = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
const levels = (process.argv[2] ?? '1,100,1000').split(',').map(Number);
const repeats = Number(process.argv[3] ?? 3);
const WALLET_PROCESSES = 2;
const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

const dataDir = mkdtempSync(join(tmpdir(), 'cgw-bench-lat-'));
const gateway = await spawnGateway({
  CGW_DATA_DIR: dataDir, CGW_LOG_LEVEL: 'info', CGW_P2P_REQUESTS_PER_SECOND: '100000', CGW_P2P_REQUEST_BURST: '100000',
  // One station runs many sessions back to back here, far above a real station's message rate.
  ...UNTHROTTLED_STATIONS,
  CGW_P2P_LISTEN: '["/ip4/127.0.0.1/tcp/0"]',
}, { timeoutMs: 60_000, nodeArgs: profileArgs });
const maxLevel = Math.max(...levels);
const chargers = fork(here('./session-chargers.ts'), [gateway.ocppUrl, String(maxLevel), 'LAT'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
await once(chargers, 'message');
const wallets = await Promise.all(Array.from({ length: WALLET_PROCESSES }, async () => {
  const child = fork(here('./session-wallets.ts'), [gateway.p2p[0]!], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await once(child, 'message');
  return child;
}));

const gatewayCpuMs = (): number => cpuMicrosOf(gateway.child.pid!) / 1000;

type RoundResult = { start: number[]; stop: number[]; failures: string[] };

/** One session on each of `level` stations at once, shared among the wallet processes. */
async function round(level: number): Promise<RoundResult[]> {
  const stations = Array.from({ length: level }, (_, i) => `LAT-${i}`);
  const shares = wallets.map((_, w) => stations.filter((__, i) => i % wallets.length === w)).filter((s) => s.length);
  return Promise.all(shares.map(async (share, w) => {
    const child = wallets[w]!;
    const answer = once(child, 'message');
    child.send({ stations: share });
    return ((await answer) as [RoundResult])[0];
  }));
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

// The first sessions through fresh processes compile their code paths (tens of ms that a node
// running for a while no longer shows): one round at the first level runs first, not counted.
await round(levels[0]!);
console.log('| parallel sessions | sessions | start p50 | start p99 | stop+receipt p50 | stop+receipt p99 | failed | gateway CPU per session |');
console.log('|---|---|---|---|---|---|---|---|');
for (const level of levels) {
  const start: number[] = [];
  const stop: number[] = [];
  const failures: string[] = [];
  // One session per station at a time; a level below 100 repeats more to fill its percentiles.
  const rounds = level < 100 ? repeats * 20 : repeats;
  const cpuBefore = gatewayCpuMs();
  for (let r = 0; r < rounds; r++) {
    for (const a of await round(level)) {
      start.push(...a.start);
      stop.push(...a.stop);
      failures.push(...a.failures);
    }
  }
  const cpuPerSession = (gatewayCpuMs() - cpuBefore) / Math.max(1, start.length);
  start.sort((a, b) => a - b);
  stop.sort((a, b) => a - b);
  const ms = (v: number): string => `${v.toFixed(1)} ms`;
  console.log(`| ${level} | ${start.length} | ${ms(percentile(start, 50))} | ${ms(percentile(start, 99))} | ${ms(percentile(stop, 50))} | ${ms(percentile(stop, 99))} | ${failures.length} | ${ms(cpuPerSession)} |`);
  if (failures.length) console.log(`  first failures: ${[...new Set(failures)].slice(0, 3).join('; ')}`);
}

for (const w of wallets) w.send({ exit: true });
chargers.send('stop');
await Promise.all([...wallets, chargers].map((c) => once(c, 'exit')));
await gateway.kill('SIGTERM');
rmSync(dataDir, { recursive: true, force: true });
