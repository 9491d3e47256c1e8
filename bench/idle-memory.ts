// Idle memory per connected station: the gateway's RSS growth per open, booted OCPP connection,
// against a raw `ws` server holding the same connections (same client, same run).
//   node bench/idle-memory.ts [connections=10000]   (needs an open-file limit above 2 x connections)
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { NODE_FLAGS } from '../gateway/node-flags.js';
import { IdleStation } from '../test/helpers/idle-station.ts';

const [connections = 10_000] = process.argv.slice(2).map(Number);
const SERVER = fileURLToPath(new URL('./servers.ts', import.meta.url));

interface Usage { rss: number; heap: number; young: number }

async function measure(kind: string): Promise<Usage> {
  const child = fork(SERVER, [kind], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [...process.execArgv, ...NODE_FLAGS, '--expose-gc'] });
  const exited = once(child, 'exit');
  const [{ port }] = (await once(child, 'message')) as [{ port: number }];
  const usage = async (): Promise<Usage> => {
    child.send('rss');
    const [m] = (await once(child, 'message')) as [Usage];
    return m;
  };
  const snapshot = async (): Promise<void> => {
    if (process.env.BENCH_SNAPSHOT !== '1') return;
    child.send('snapshot');
    const [m] = (await once(child, 'message')) as [{ snapshot: string }];
    console.log(`${kind}: heap snapshot ${m.snapshot}`);
  };
  await snapshot();
  const before = await usage();
  const stations: IdleStation[] = [];
  for (let i = 0; i < connections; i += 200) {
    await Promise.all(Array.from({ length: Math.min(200, connections - i) }, async (_, j) => {
      const station = await IdleStation.connect(`ws://127.0.0.1:${port}/ocpp/IDLE-${i + j}`, { perMessageDeflate: process.env.BENCH_DEFLATE !== '0' });
      await station.boot();
      stations.push(station);
    }));
  }
  await new Promise((r) => setTimeout(r, 2_000));
  const after = await usage();
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
  const { rss, heap, young } = await measure(kind);
  console.log(`${kind.padEnd(9)} rss ${kb(rss).padStart(9)}  heap ${kb(heap).padStart(9)}  V8's young generation ${kb(young).padStart(9)}`);
}
