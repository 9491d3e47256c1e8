// Idle memory per connected station: the gateway's RSS growth per open, booted OCPP connection,
// against a raw `ws` server holding the same connections (same client, same run).
//   node bench/idle-memory.ts [connections=10000]   (needs an open-file limit above 2 x connections)
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const [connections = 10_000] = process.argv.slice(2).map(Number);
const SERVER = fileURLToPath(new URL('./servers.ts', import.meta.url));

async function measure(kind: string): Promise<number> {
  const child = fork(SERVER, [kind], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [...process.execArgv, '--expose-gc'] });
  const exited = once(child, 'exit');
  const [{ port }] = (await once(child, 'message')) as [{ port: number }];
  const rss = async (): Promise<number> => {
    child.send('rss');
    const [m] = (await once(child, 'message')) as [{ rss: number }];
    return m.rss;
  };
  const before = await rss();
  const sockets: WebSocket[] = [];
  for (let i = 0; i < connections; i += 200) {
    await Promise.all(Array.from({ length: Math.min(200, connections - i) }, async (_, j) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ocpp/IDLE-${i + j}`, 'ocpp1.6', { perMessageDeflate: process.env.BENCH_DEFLATE !== '0' });
      await once(ws, 'open');
      ws.send(JSON.stringify([2, 'b', 'BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' }]));
      await once(ws, 'message');
      sockets.push(ws);
    }));
  }
  await new Promise((r) => setTimeout(r, 2_000));
  const after = await rss();
  for (const ws of sockets) ws.terminate();
  child.send('report');
  await once(child, 'message');
  await exited;
  return (after - before) / connections;
}

const raw = await measure('raw');
const gateway = await measure('gateway');
console.log(`idle memory per connected station (${connections} connections): gateway ${(gateway / 1024).toFixed(1)} KB, raw ws ${(raw / 1024).toFixed(1)} KB (x${(gateway / raw).toFixed(2)})`);
