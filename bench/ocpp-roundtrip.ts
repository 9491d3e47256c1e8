// Server CPU per OCPP round trip: the gateway against a raw `ws` echo server (the floor) and an
// ocpp-rpc strict server (the library users would pick instead), same client, same run.
//   npm run bench:roundtrip -- [connections=100] [seconds=5] [rounds=3] [load=mix]
// load: `mix` (a 1.6 station's realistic mix), or one message type sent again and again:
// Heartbeat, StatusNotification, MeterValues (1.6, 4 values, in a transaction),
// TransactionEvent (2.0.1 Updated, 4 values), BootNotification, Authorize, StartStop (1.6
// StartTransaction and StopTransaction in turn) or StartedEnded (2.0.1 TransactionEvent Started
// and Ended in turn, a new transaction each time). Each server runs in its own process; the load
// comes from this process over loopback; the rounds interleave the servers. Every server runs
// with the node's V8 flags (gateway/node-flags.js), as `npm start` runs the gateway.
// BENCH_THREADS=1 prints each server's CPU by thread (main, libuv pool, LevelDB, V8 helpers).
// BENCH_COMPARE=<other checkout> adds its gateway as "baseline"; with BENCH_ALTERNATE=<windows>
// the two run side by side and take the load in turns instead of in rounds.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { cpuMicrosOf } from './process-cpu.ts';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { NODE_FLAGS } from '../gateway/node-flags.js';

const [connections = 100, seconds = 5, rounds = 3] = process.argv.slice(2, 5).map(Number);
const load = process.argv[5] ?? 'mix';
const V201 = load === 'TransactionEvent' || load === 'StartedEnded';
const SERVER = fileURLToPath(new URL('./servers.ts', import.meta.url));
const WALLET = fileURLToPath(new URL('./event-wallet.ts', import.meta.url));

/** One station's realistic loop: mostly meter values, some status and heartbeats, a transaction started and stopped every 50 meter values. */
function* stationMessages(n: number): Generator<[string, object]> {
  yield ['BootNotification', { chargePointVendor: 'Bench', chargePointModel: 'B1' }];
  let meter = 0;
  for (let i = 0; ; i++) {
    if (i % 50 === 0) yield ['StartTransaction', { connectorId: 1, idTag: `TAG${n}`, meterStart: meter, timestamp: new Date(1_700_000_000_000 + i * 1000).toISOString() }];
    meter += 10;
    yield ['MeterValues', { connectorId: 1, meterValue: [{ timestamp: new Date(1_700_000_000_000 + i * 1000).toISOString(), sampledValue: [{ value: String(meter) }, { value: '16', measurand: 'Current.Import', unit: 'A' }] }] }];
    if (i % 10 === 0) yield ['StatusNotification', { connectorId: 1, errorCode: 'NoError', status: i % 20 === 0 ? 'Charging' : 'SuspendedEV' }];
    if (i % 10 === 5) yield ['Heartbeat', {}];
    // The loop names the transaction the last StartTransaction answer gave.
    if (i % 50 === 49) yield ['StopTransaction', { transactionId: 0, meterStop: meter, timestamp: new Date(1_700_000_000_000 + i * 1000).toISOString() }];
  }
}

// What an idle station answers the server's calls with (by OCPP version).
const STATION_ANSWERS: Record<string, (v201: boolean) => object> = {
  GetLocalListVersion: (v201) => (v201 ? { versionNumber: 0 } : { listVersion: 0 }),
  GetConfiguration: () => ({ configurationKey: [] }),
  GetBaseReport: () => ({ status: 'NotSupported' }),
  SendLocalList: () => ({ status: 'Accepted' }),
};

const at = (i: number): string => new Date(1_700_000_000_000 + i * 1000).toISOString();
const FOUR_16 = (meter: number) => [
  { value: String(meter), measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
  { value: '16', measurand: 'Current.Import', unit: 'A' }, { value: '230', measurand: 'Voltage', unit: 'V' }, { value: '3680', measurand: 'Power.Active.Import', unit: 'W' },
];

/** One message type again and again, after what it needs (a boot, an open transaction). */
function* oneMessage(action: string, n: number): Generator<[string, object]> {
  if (action === 'StartedEnded') {
    yield ['BootNotification', { reason: 'PowerUp', chargingStation: { vendorName: 'Bench', model: 'B1' } }];
    for (let i = 1; ; i++) {
      const transactionInfo = { transactionId: `BENCH-${n}-${i}` };
      yield ['TransactionEvent', { eventType: 'Started', timestamp: at(2 * i), triggerReason: 'Authorized', seqNo: 0, transactionInfo, idToken: { idToken: `TAG${n}`, type: 'Central' }, evse: { id: 1, connectorId: 1 }, meterValue: [{ timestamp: at(2 * i), sampledValue: [{ value: i * 100 }] }] }];
      yield ['TransactionEvent', { eventType: 'Ended', timestamp: at(2 * i + 1), triggerReason: 'EVDeparted', seqNo: 1, transactionInfo: { ...transactionInfo, stoppedReason: 'EVDisconnected' }, meterValue: [{ timestamp: at(2 * i + 1), sampledValue: [{ value: i * 100 + 50, context: 'Transaction.End' }] }] }];
    }
  }
  if (action === 'TransactionEvent') {
    yield ['BootNotification', { reason: 'PowerUp', chargingStation: { vendorName: 'Bench', model: 'B1' } }];
    const transactionInfo = { transactionId: `BENCH-${n}` };
    yield ['TransactionEvent', { eventType: 'Started', timestamp: at(0), triggerReason: 'Authorized', seqNo: 0, transactionInfo, idToken: { idToken: `TAG${n}`, type: 'Central' }, evse: { id: 1, connectorId: 1 } }];
    for (let i = 1; ; i++) {
      yield ['TransactionEvent', {
        eventType: 'Updated', timestamp: at(i), triggerReason: 'MeterValuePeriodic', seqNo: i, transactionInfo,
        meterValue: [{ timestamp: at(i), sampledValue: [
          { value: i * 10 }, { value: 16, measurand: 'Current.Import' }, { value: 230, measurand: 'Voltage' }, { value: 3680, measurand: 'Power.Active.Import' },
        ] }],
      }];
    }
  }
  yield ['BootNotification', { chargePointVendor: 'Bench', chargePointModel: 'B1' }];
  if (action === 'MeterValues') yield ['StartTransaction', { connectorId: 1, idTag: `TAG${n}`, meterStart: 0, timestamp: at(0) }];
  for (let i = 1; ; i++) {
    if (action === 'Heartbeat') yield ['Heartbeat', {}];
    else if (action === 'BootNotification') yield ['BootNotification', { chargePointVendor: 'Bench', chargePointModel: 'B1', firmwareVersion: `1.${i % 2}` }];
    else if (action === 'Authorize') yield ['Authorize', { idTag: `TAG${n}-${i % 16}` }];
    else if (action === 'StartStop') {
      // The loop names the transaction the StartTransaction answer gave.
      yield ['StartTransaction', { connectorId: 1, idTag: `TAG${n}`, meterStart: i * 100, timestamp: at(2 * i) }];
      yield ['StopTransaction', { transactionId: 0, meterStop: i * 100 + 50, timestamp: at(2 * i + 1) }];
    }
    // Each one a change (a status that stays does not make an event).
    else if (action === 'StatusNotification') yield ['StatusNotification', { connectorId: 1, errorCode: 'NoError', status: i % 2 ? 'Charging' : 'SuspendedEV' }];
    else if (action === 'MeterValues') yield ['MeterValues', { connectorId: 1, meterValue: [{ timestamp: at(i), sampledValue: FOUR_16(i * 10) }] }];
    else throw new Error(`unknown load ${action}`);
  }
}

/** A server under load: its stations send while running, and pause between windows. */
interface LoadedServer {
  child: ReturnType<typeof fork>;
  answered(): number;
  resume(): void;
  pause(): Promise<void>;
  stop(reported?: boolean): Promise<void>;
}

async function startServer(kind: string): Promise<LoadedServer> {
  // BENCH_PROFILE=dir writes a V8 CPU profile of each server into dir (open in Chrome DevTools).
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  // BENCH_NODE_FLAGS='--trace-gc ...': more V8 flags for every server (after the node's own).
  profile.push(...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean));
  // BENCH_COMPARE=<another checkout> also runs that checkout's gateway ("baseline"), beside this one.
  // (Run by this checkout's bench/servers.ts, which loads the other's gateway.)
  const env = kind === 'baseline' ? { ...process.env, BENCH_GATEWAY_ROOT: process.env.BENCH_COMPARE! } : process.env;
  const child = fork(SERVER, [kind === 'baseline' ? 'gateway' : kind], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [...process.execArgv, ...NODE_FLAGS, ...profile], env });
  const exited = once(child, 'exit');
  const [{ port, p2p }] = (await Promise.race([once(child, 'message'), exited.then(() => { throw new Error(`the ${kind} server exited before listening`); })])) as [{ port: number; p2p?: string }];
  // BENCH_SUBSCRIBER=1: a wallet in its own process follows every station's topic, so each
  // event a message causes is built into a gossipsub message and sent (without one, an event
  // on a topic nobody follows is only kept for later). BENCH_SUBSCRIBER=feed: the wallet
  // follows the gateway's stations feed instead (one topic, events bundled).
  const subscriber = process.env.BENCH_SUBSCRIBER;
  const wallet = (subscriber === '1' || subscriber === 'feed') && p2p
    ? fork(WALLET, [p2p, String(connections), 'BENCH-', subscriber === 'feed' ? 'feed' : 'topics'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    : undefined;
  if (wallet) await once(wallet, 'message');
  const sockets = await Promise.all(Array.from({ length: connections }, async (_, i) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ocpp/BENCH-${i}`, V201 ? 'ocpp2.0.1' : 'ocpp1.6');
    await once(ws, 'open');
    return ws;
  }));
  let done = 0;
  let serverCalls = 0;
  let running = true;
  // Each station's next message, and its messages waiting for an answer (0 or 1).
  const senders: (() => void)[] = [];
  let inFlight = 0;
  let drained: (() => void) | undefined;
  sockets.forEach((ws, n) => {
    const messages = load === 'mix' ? stationMessages(n) : oneMessage(load, n);
    let id = 0;
    let txId = 0;
    const next = (): void => {
      if (!running) return;
      const [action, payload] = messages.next().value as [string, Record<string, unknown>];
      if ((action === 'MeterValues' || action === 'StopTransaction') && txId) payload.transactionId = txId;
      if (action === 'StopTransaction') txId = 0;
      inFlight++;
      ws.send(JSON.stringify([2, String(++id), action, payload]));
    };
    senders.push(next);
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as unknown[];
      // The server's own CALL (a gateway catching up a station's local list or configuration):
      // answered as an idle station would, and not counted.
      if (frame[0] === 2) {
        serverCalls++;
        ws.send(JSON.stringify([3, frame[1], STATION_ANSWERS[frame[2] as string]?.(V201) ?? {}]));
        return;
      }
      const [type, , result] = frame as [number, string, Record<string, unknown>];
      if (type === 3 && typeof result.transactionId === 'number') txId = result.transactionId;
      done++;
      inFlight--;
      if (!inFlight) drained?.();
      next();
    });
  });
  for (const next of senders) next();
  // Warm up. The warm-up lasts until the server's own calls (the gateway catching up each
  // station after its boot: once per connection, not the load's work) have stopped for a
  // second, 30 s at most.
  const warmUntil = Date.now() + 30_000;
  for (let seen = -1; seen !== serverCalls && Date.now() < warmUntil;) {
    seen = serverCalls;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return {
    child,
    answered: () => done,
    resume: () => {
      running = true;
      for (const next of senders) next();
    },
    pause: async () => {
      running = false;
      if (inFlight) await Promise.race([new Promise<void>((r) => (drained = r)), new Promise((r) => setTimeout(r, 5_000))]);
      drained = undefined;
    },
    // A server told to report stops by itself (its data folder removed, its profile written):
    // one not told yet is told now.
    stop: async (reported = false) => {
      running = false;
      for (const ws of sockets) ws.terminate();
      if (!reported) child.send('report');
      await exited;
      wallet?.kill();
    },
  };
}

async function runAgainst(kind: string): Promise<{ kind: string; perSecond: number; cpuMicrosPerMsg: number; rssMb: number }> {
  const server = await startServer(kind);
  const { child } = server;
  child.send('reset');
  await once(child, 'message');
  const startCount = server.answered();
  const started = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const measured = server.answered() - startCount;
  child.send('report');
  const [report] = (await once(child, 'message')) as [{ cpuMicros: number; rssBytes: number }];
  await server.stop(true);
  return { kind, perSecond: measured / elapsed, cpuMicrosPerMsg: report.cpuMicros / measured, rssMb: report.rssBytes / 2 ** 20 };
}

/**
 * BENCH_ALTERNATE=<windows> (with BENCH_COMPARE): the gateway and the baseline run side by side
 * and take the load in turns, one window of `seconds` each, so that the machine's drift over
 * minutes falls on both alike; each window's CPU comes from /proc (10 ms ticks). Prints the
 * ratio of each pair of windows, and their median.
 */
async function alternate(windows: number): Promise<void> {
  const servers = { gateway: await startServer('gateway'), baseline: await startServer('baseline') };
  await servers.gateway.pause();
  await servers.baseline.pause();
  const perMessage = { gateway: [] as number[], baseline: [] as number[] };
  for (let w = 0; w < windows; w++) {
    // Alternating which goes first, so neither always follows the other's window.
    for (const kind of w % 2 ? ['baseline', 'gateway'] as const : ['gateway', 'baseline'] as const) {
      const server = servers[kind];
      const pid = server.child.pid!;
      server.resume();
      // Steady state before the window (answers flowing, the turn's batches full).
      await new Promise((r) => setTimeout(r, 300));
      const [cpu, count] = [cpuMicrosOf(pid), server.answered()];
      await new Promise((r) => setTimeout(r, seconds * 1000));
      perMessage[kind].push((cpuMicrosOf(pid) - cpu) / (server.answered() - count));
      await server.pause();
    }
  }
  await servers.gateway.stop();
  await servers.baseline.stop();
  const byWindow = perMessage.gateway.map((g, i) => g / perMessage.baseline[i]!);
  const sorted = [...byWindow].sort((a, b) => a - b);
  const quartile = (q: number) => sorted[Math.floor(q * (sorted.length - 1))]!.toFixed(3);
  console.log(`${load}, ${connections} connections, ${windows} windows of ${seconds} s each, taken in turns`);
  console.log(`gateway µs/msg ${median(perMessage.gateway).toFixed(1)}, baseline ${median(perMessage.baseline).toFixed(1)}`);
  console.log(`gateway / baseline: ${median(byWindow).toFixed(3)} (quartiles ${quartile(0.25)}-${quartile(0.75)}; by window: ${byWindow.map((x) => x.toFixed(3)).join(' ')})`);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const results: Record<string, { perSecond: number[]; cpu: number[]; rss: number[] }> = {};
if (process.env.BENCH_ALTERNATE) {
  await alternate(Number(process.env.BENCH_ALTERNATE));
  process.exit(0);
}
for (let round = 0; round < rounds; round++) {
  // BENCH_SERVERS=gateway,...: only these servers (e.g. to profile one); ratios need ocpp-rpc and raw.
  for (const kind of (process.env.BENCH_SERVERS ?? ['raw', 'ocpp-rpc', 'gateway', ...(process.env.BENCH_COMPARE ? ['baseline'] : [])].join(',')).split(',')) {
    const r = await runAgainst(kind);
    const entry = (results[kind] ??= { perSecond: [], cpu: [], rss: [] });
    entry.perSecond.push(r.perSecond);
    entry.cpu.push(r.cpuMicrosPerMsg);
    entry.rss.push(r.rssMb);
  }
}
// Ratios are taken within each round (the servers of a round run one after the other, minutes
// apart at most) and their median is shown: the machine's speed drifts between rounds more
// than the servers differ.
const ratios = (kind: string, peer: string): number[] => results[kind]!.cpu.map((cpu, i) => cpu / results[peer]!.cpu[i]!);
console.log(`${load === 'mix' ? 'OCPP 1.6 station mix' : load}, ${connections} connections, ${seconds} s x ${rounds} rounds (medians; ratios within each round)`);
console.log('server      msgs/s   server CPU µs/msg   x raw ws   x ocpp-rpc   RSS MB   x ocpp-rpc by round');
for (const [kind, r] of Object.entries(results)) {
  if (!results['ocpp-rpc'] || !results.raw) { console.log(`${kind.padEnd(10)} ${median(r.perSecond).toFixed(0).padStart(7)}   ${median(r.cpu).toFixed(1).padStart(17)}`); continue; }
  const byRound = ratios(kind, 'ocpp-rpc');
  console.log(`${kind.padEnd(10)} ${median(r.perSecond).toFixed(0).padStart(7)}   ${median(r.cpu).toFixed(1).padStart(17)}   ${median(ratios(kind, 'raw')).toFixed(2).padStart(8)}   ${median(byRound).toFixed(2).padStart(10)}   ${median(r.rss).toFixed(0).padStart(6)}   ${byRound.map((x) => x.toFixed(2)).join(' ')}`);
}
// BENCH_COMPARE: this checkout's gateway against the other's, round by round.
if (results.baseline && results.gateway) {
  const byRound = ratios('gateway', 'baseline');
  console.log(`gateway / baseline: ${median(byRound).toFixed(3)} (by round: ${byRound.map((x) => x.toFixed(3)).join(' ')})`);
}
