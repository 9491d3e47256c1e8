// The servers compared by ocpp-roundtrip.ts, each run in its own process:
//   node bench/servers.ts <raw|ocpp-rpc|gateway>
// Prints {"port": N} once listening; on "report" over IPC sends its CPU time and exits.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
import { join } from 'node:path';
import { RPCServer } from 'ocpp-rpc';
import { WebSocketServer } from 'ws';
import { pathToFileURL } from 'node:url';
import { compactingCollection } from '../gateway/idle-compaction.ts';
import type * as ConfigModule from '../gateway/config/load.ts';
import type * as NodeModule from '../gateway/node.ts';
import type * as LoggerModule from '../src/log/logger.ts';

// The gateway's modules load only in the gateway's process: the peers' processes hold nothing
// of it but gateway/idle-compaction.ts (a few functions, for the memory-reducing collection)
// (its modules' start-up garbage once gave them free pages that made their idle RSS per station
// read low). BENCH_GATEWAY_ROOT=<another checkout>: that checkout's gateway, run by this
// file (so two gateways side by side get this file's settings, e.g. a libp2p port of their own).
const gatewayRoot = process.env.BENCH_GATEWAY_ROOT ? pathToFileURL(`${process.env.BENCH_GATEWAY_ROOT}/`) : new URL('../', import.meta.url);
const gatewayModule = <T>(path: string): Promise<T> => import(new URL(path, gatewayRoot).href) as Promise<T>;

const kind = process.argv[2];
let stop: () => Promise<void> = async () => {};
let port = 0;
// The gateway's libp2p address, for a subscriber (BENCH_SUBSCRIBER in ocpp-roundtrip.ts).
let p2p: string | undefined;
// Heap compactions the gateway ran when quiet (idle-memory.ts waits for one).
let compactions = (): number => 0;

const answers: Record<string, object> = {
  Heartbeat: { currentTime: new Date().toISOString() },
  BootNotification: { status: 'Accepted', currentTime: new Date().toISOString(), interval: 300 },
  StatusNotification: {},
  MeterValues: {},
  TransactionEvent: {},
  Authorize: { idTagInfo: { status: 'Accepted' } },
};

if (kind === 'raw') {
  // The physical floor: parse the frame, answer a CALLRESULT, nothing else.
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: (p) => [...p][0] ?? false });
  wss.on('connection', (ws) => ws.on('message', (data) => {
    const [, id, action] = JSON.parse(data.toString()) as [number, string, string];
    ws.send(JSON.stringify([3, id, answers[action] ?? {}]));
  }));
  await new Promise((r) => wss.once('listening', r));
  port = (wss.address() as { port: number }).port;
  stop = async () => { wss.close(); };
} else if (kind === 'ocpp-rpc') {
  const server = new RPCServer({ protocols: ['ocpp1.6', 'ocpp2.0.1'], strictMode: true } as any);
  server.on('client', (client: any) => {
    for (const action of Object.keys(answers)) client.handle(action, () => answers[action]);
    client.handle('StartTransaction', () => ({ transactionId: 1, idTagInfo: { status: 'Accepted' } }));
    client.handle('StopTransaction', () => ({}));
  });
  const http = await server.listen(0, '127.0.0.1');
  port = (http.address() as { port: number }).port;
  stop = () => server.close({ force: true });
} else if (kind === 'gateway') {
  const { loadConfig } = await gatewayModule<typeof ConfigModule>('gateway/config/load.ts');
  const { startGateway } = await gatewayModule<typeof NodeModule>('gateway/node.ts');
  const { silentLogger } = await gatewayModule<typeof LoggerModule>('src/log/logger.ts');
  const dataDir = mkdtempSync(join(tmpdir(), 'cgw-bench-'));
  const config = loadConfig({ env: {} });
  config.dataDir = dataDir;
  config.ocpp.host = '127.0.0.1';
  config.ocpp.port = 0;
  config.ocpp.acceptUnknownIdTags = true;
  // Free ports: two gateways may run side by side (ocpp-roundtrip.ts's BENCH_ALTERNATE).
  config.p2p.listen = ['/ip4/127.0.0.1/tcp/0'];
  config.admin.port = 0;
  // The benchmark clients send as fast as they are answered; the per-station rate limit would
  // measure the limit, not the gateway.
  config.ocpp.maxMessagesPerSecond = 1e9;
  config.ocpp.messageBurst = 1e9;
  // Thousands of stations connect from 127.0.0.1 at once.
  config.ocpp.maxPendingConnections = 100_000;
  config.ocpp.maxPendingPerAddress = 100_000;
  config.stations.maxUnlisted = 100_000;
  // A benchmark subscriber catches up on every station's topic at once.
  config.p2p.requestsPerSecond = 1e6;
  config.p2p.requestBurst = 1e6;
  // The publishing pace is raised (100,000 events/s unless BENCH_EVENTS_PER_SECOND says
  // otherwise) so that every event a message causes is signed and published within the
  // measured window: a message's figure counts all of its work.
  config.p2p.maxEventsPerSecond = Number(process.env.BENCH_EVENTS_PER_SECOND ?? 100_000);
  // BENCH_WRITE_BUFFER_MB: LevelDB's write buffer (storage.writeBufferMb), to compare sizes.
  if (process.env.BENCH_WRITE_BUFFER_MB) config.storage.writeBufferMb = Number(process.env.BENCH_WRITE_BUFFER_MB);
  // BENCH_READ_CONFIGURATION=0: stations' configurations are not read when they connect.
  if (process.env.BENCH_READ_CONFIGURATION === '0') config.stations.configuration.readOnConnect = false;
  // BENCH_IDLE_COMPACTION_SEC: how often the node checks whether to compact its heap when quiet.
  if (process.env.BENCH_IDLE_COMPACTION_SEC) config.memory.idleCompactionSec = Number(process.env.BENCH_IDLE_COMPACTION_SEC);
  const node = await startGateway(config, silentLogger);
  compactions = () => node.memory?.count ?? 0;
  port = node.ocppPort;
  p2p = node.p2p?.multiaddrs.find((a) => a.includes('/tcp/') && !a.includes('/ws'));
  stop = async () => { await node.stop(); rmSync(dataDir, { recursive: true, force: true }); };
} else {
  throw new Error(`unknown server kind ${kind}`);
}

const cpuAtStart = process.cpuUsage();
// CPU ticks per thread (main, libuv pool, LevelDB's own, V8's helpers) from /proc, by name.
const threadTicks = (): Map<string, number> => {
  const out = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const [utime, stime] = stat.slice(stat.lastIndexOf(')') + 2).split(' ').slice(11, 13).map(Number);
    out.set(`${name}#${tid}`, utime! + stime!);
  }
  return out;
};
let threadsAtStart = new Map<string, number>();
process.on('message', (msg) => {
  if (msg === 'snapshot') {
    // BENCH_SNAPSHOT=1 npm run bench:memory: heap snapshots before and after the connections.
    process.send!({ snapshot: writeHeapSnapshot() });
  }
  if (msg === 'rss' || msg === 'least rss') {
    // 'least rss': after V8's memory-reducing collection (the process's least, for a baseline).
    if (msg === 'least rss') compactingCollection()?.();
    else (globalThis as { gc?: () => void }).gc?.();
    const { rss, heapUsed, external } = process.memoryUsage();
    // V8's young generation: its committed size grows with a burst of allocation (up to
    // --max-semi-space-size) and is a cost of the process, not of each station.
    const young = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;
    process.send!({ rss, heap: heapUsed + external, young });
  }
  if (msg === 'compactions') process.send!({ compactions: compactions() });
  if (msg === 'reset') {
    Object.assign(cpuAtStart, process.cpuUsage());
    threadsAtStart = threadTicks();
    process.send!({ reset: true });
  }
  if (msg === 'report') {
    const cpu = process.cpuUsage(cpuAtStart);
    // BENCH_THREADS=1: where the CPU went, by thread name (ticks are 10 ms each); with
    // BENCH_THREADS_BY_ID=1 each thread apart (V8's GC helpers share the main thread's name).
    if (process.env.BENCH_THREADS === '1') {
      const byName = new Map<string, number>();
      for (const [key, ticks] of threadTicks()) {
        const name = process.env.BENCH_THREADS_BY_ID ? key : key.split('#')[0]!;
        byName.set(name, (byName.get(name) ?? 0) + ticks - (threadsAtStart.get(key) ?? 0));
      }
      console.error(`${kind} threads (ms):`, [...byName].filter(([, t]) => t > 0).map(([n, t]) => `${n} ${t * 10}`).join(', '));
    }
    process.send!({ cpuMicros: cpu.user + cpu.system, rssBytes: process.memoryUsage().rss }, () => {
      void stop().then(() => process.exit(0));
    });
  }
});
process.send!({ port, p2p });
