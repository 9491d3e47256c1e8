// Idle memory per connected station: the gateway's RSS growth per open, booted OCPP connection,
// against a raw `ws` server holding the same connections (same client, same run).
//   node bench/idle-memory.ts [connections=10000]   (needs an open-file limit above 2 x connections)
// Each server is read before the connections after a memory-reducing GC (its least), and 2 s
// after the connections' burst after an ordinary forced full GC. The gateway runs twice: with
// its compaction when quiet off (what the burst left), and on (memory.idleCompactionSec, checked
// every second here), read once it has compacted.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { NODE_FLAGS } from '../gateway/node-flags.js';
import { IdleStation } from '../test/helpers/idle-station.ts';

const [connections = 10_000] = process.argv.slice(2).map(Number);
const SERVER = fileURLToPath(new URL('./servers.ts', import.meta.url));

interface Usage { rss: number; heap: number; young: number }

async function measure(kind: string, compactWhenQuiet = false): Promise<Usage> {
  const child = fork(SERVER, [kind], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [...process.execArgv, ...NODE_FLAGS],
    env: { ...process.env, BENCH_IDLE_COMPACTION_SEC: compactWhenQuiet ? '1' : '0' },
  });
  const exited = once(child, 'exit');
  const [{ port }] = (await once(child, 'message')) as [{ port: number }];
  const usage = async (least = false): Promise<Usage> => {
    child.send(least ? 'least rss' : 'rss');
    const [m] = (await once(child, 'message')) as [Usage];
    return m;
  };
  const compactions = async (): Promise<number> => {
    child.send('compactions');
    const [m] = (await once(child, 'message')) as [{ compactions: number }];
    return m.compactions;
  };
  // Read once the node has compacted after the burst; a node that compacted during it (a quiet
  // second between the clients' rounds) may see too little spare to do so again: then after 20 s.
  const usageOnceCompacted = async (): Promise<Usage> => {
    const during = await compactions();
    for (const deadline = Date.now() + 20_000; Date.now() < deadline && (await compactions()) === during;) await new Promise((r) => setTimeout(r, 500));
    console.log(`${kind}: ${during} compaction(s) during the burst, ${(await compactions()) - during} after`);
    return usage();
  };
  const snapshot = async (): Promise<void> => {
    if (process.env.BENCH_SNAPSHOT !== '1') return;
    child.send('snapshot');
    const [m] = (await once(child, 'message')) as [{ snapshot: string }];
    console.log(`${kind}: heap snapshot ${m.snapshot}`);
  };
  await snapshot();
  const before = await usage(true);
  const stations: IdleStation[] = [];
  for (let i = 0; i < connections; i += 200) {
    await Promise.all(Array.from({ length: Math.min(200, connections - i) }, async (_, j) => {
      const station = await IdleStation.connect(`ws://127.0.0.1:${port}/ocpp/IDLE-${i + j}`, { perMessageDeflate: process.env.BENCH_DEFLATE !== '0' });
      await station.boot();
      stations.push(station);
    }));
  }
  const after = compactWhenQuiet ? await usageOnceCompacted() : await new Promise((r) => setTimeout(r, 2_000)).then(() => usage());
  await snapshot();
  for (const station of stations) station.ws.terminate();
  const calls = new Map<string, number>();
  for (const station of stations) for (const [action, n] of station.callsReceived) calls.set(action, (calls.get(action) ?? 0) + n);
  child.send('report');
  await once(child, 'message');
  await exited;
  if (calls.size) console.log(`${kind}: calls from the server`, Object.fromEntries(calls));
  return { rss: (after.rss - before.rss) / connections, heap: (after.heap - before.heap) / connections, young: (after.young - before.young) / connections };
}

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
console.log(`idle memory per connected station, ${connections} connections (RSS growth after GC; JS heap + external)`);
for (const kind of (process.env.BENCH_SERVERS ?? 'raw,ocpp-rpc,gateway').split(',')) {
  const row = (label: string, u: Usage): string => `${label.padEnd(24)} rss ${kb(u.rss).padStart(9)}  heap ${kb(u.heap).padStart(9)}  V8's young generation ${kb(u.young).padStart(9)}`;
  console.log(row(kind, await measure(kind)));
  if (kind === 'gateway') console.log(row(`${kind}, compacted quiet`, await measure(kind, true)));
}
