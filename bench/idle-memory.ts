// Idle memory per connected station: the gateway's RSS growth per open, booted OCPP connection,
// against a raw `ws` server holding the same connections (same client, same run).
//   node bench/idle-memory.ts [connections=10000]   (needs an open-file limit above 2 x connections)
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const [connections = 10_000] = process.argv.slice(2).map(Number);
const SERVER = fileURLToPath(new URL('./servers.ts', import.meta.url));

// What an idle 1.6 charger answers the central system's calls with.
const CHARGER_ANSWERS: Record<string, object> = {
  GetLocalListVersion: { listVersion: 0 },
  SendLocalList: { status: 'Accepted' },
  ChangeConfiguration: { status: 'Accepted' },
};
const calls = new Map<string, number>();

interface Usage { rss: number; heap: number }

async function measure(kind: string): Promise<Usage> {
  const child = fork(SERVER, [kind], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [...process.execArgv, '--expose-gc'] });
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
  const sockets: WebSocket[] = [];
  for (let i = 0; i < connections; i += 200) {
    await Promise.all(Array.from({ length: Math.min(200, connections - i) }, async (_, j) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ocpp/IDLE-${i + j}`, 'ocpp1.6', { perMessageDeflate: process.env.BENCH_DEFLATE !== '0' });
      await once(ws, 'open');
      // An idle charger: it boots, then answers what the central system asks.
      const booted = new Promise((resolve) => ws.on('message', (data) => {
        const [type, id, action] = JSON.parse(data.toString()) as [number, string, string];
        if (type === 3 && id === 'boot') resolve(undefined);
        if (type !== 2) return;
        calls.set(action, (calls.get(action) ?? 0) + 1);
        ws.send(JSON.stringify([3, id, CHARGER_ANSWERS[action] ?? {}]));
      }));
      ws.send(JSON.stringify([2, 'boot', 'BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' }]));
      await booted;
      sockets.push(ws);
    }));
  }
  await new Promise((r) => setTimeout(r, 2_000));
  const after = await usage();
  await snapshot();
  for (const ws of sockets) ws.terminate();
  child.send('report');
  await once(child, 'message');
  await exited;
  if (calls.size) console.log(`${kind}: calls from the server`, Object.fromEntries(calls));
  calls.clear();
  return { rss: (after.rss - before.rss) / connections, heap: (after.heap - before.heap) / connections };
}

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
console.log(`idle memory per connected station, ${connections} connections (RSS growth after GC; JS heap + external)`);
for (const kind of (process.env.BENCH_SERVERS ?? 'raw,ocpp-rpc,gateway').split(',')) {
  const { rss, heap } = await measure(kind);
  console.log(`${kind.padEnd(9)} rss ${kb(rss).padStart(9)}  heap ${kb(heap).padStart(9)}`);
}
