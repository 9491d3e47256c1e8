// A station's Heartbeat latency while wrong passwords arrive, the gateway as its own process:
// no attack, then 100 wrong passwords a second for it from one address (throttled after 10),
// then the same rate at 200 other listed stations from as many addresses, so that no throttle
// applies and every attempt costs a full scrypt check.
//   node bench/auth-flood.ts [seconds per phase=8] [attempts per second=100]
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import WebSocket from 'ws';
import { tempDir } from '../test/helpers/gateway.ts';
import { spawnGateway } from '../test/helpers/process.ts';

const seconds = Number(process.argv[2] ?? 8);
const rate = Number(process.argv[3] ?? 100);
const dataDir = tempDir('cgw-bench-auth-');
const gateway = await spawnGateway({
  CGW_DATA_DIR: dataDir, CGW_STATIONS_REGISTRATION: 'closed', CGW_OCPP_MAX_MESSAGES_PER_SECOND: '1000',
  CGW_STATIONS_LIST: JSON.stringify([
    { identity: 'BENCH-CP', securityProfile: 1, password: 'the-right-password' },
    ...Array.from({ length: 200 }, (_, i) => ({ identity: `OTHER-${i}`, securityProfile: 1, password: `password-of-${i}` })),
  ]),
}, { timeoutMs: 60_000 });
const basic = (password: string, identity = 'BENCH-CP') => ({ headers: { Authorization: `Basic ${Buffer.from(`${identity}:${password}`).toString('base64')}` } });
const station = new WebSocket(`${gateway.ocppUrl}/BENCH-CP`, 'ocpp1.6', basic('the-right-password'));
await once(station, 'open');
let id = 0;
const heartbeat = () => new Promise<number>((resolve) => {
  const mine = `h${++id}`;
  const started = performance.now();
  const onMessage = (data: WebSocket.RawData) => {
    if ((JSON.parse(data.toString()) as unknown[])[1] !== mine) return;
    station.off('message', onMessage);
    resolve(performance.now() - started);
  };
  station.on('message', onMessage);
  station.send(JSON.stringify([2, mine, id === 1 ? 'BootNotification' : 'Heartbeat', id === 1 ? { chargePointVendor: 'V', chargePointModel: 'M' } : {}]));
});
await heartbeat();

async function phase(name: string, address: (i: number) => string | undefined, identity: (i: number) => string = () => 'BENCH-CP'): Promise<void> {
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const end = Date.now() + seconds * 1000;
  let n = 0;
  const attacker = address(0) === 'none' ? undefined : setInterval(() => {
    const i = n++;
    const ws = new WebSocket(`${gateway.ocppUrl}/${identity(i)}`, 'ocpp1.6', { ...basic(`guess-${i}`, identity(i)), ...(address(i) ? { localAddress: address(i) } : {}) });
    ws.on('error', () => {});
    ws.on('unexpected-response', (_req, res) => { statuses.set(res.statusCode ?? 0, (statuses.get(res.statusCode ?? 0) ?? 0) + 1); ws.terminate(); });
  }, 1000 / rate);
  while (Date.now() < end) {
    latencies.push(await heartbeat());
    await new Promise((r) => setTimeout(r, 20));
  }
  if (attacker) clearInterval(attacker);
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(1);
  console.log(`| ${name} | ${n} | ${[...statuses].map(([s, c]) => `${c}×${s}`).join(', ') || '-'} | ${q(0.5)} ms | ${q(0.99)} ms | ${latencies.at(-1)!.toFixed(1)} ms |`);
  await new Promise((r) => setTimeout(r, 1500));
}

console.log(`| phase | wrong passwords sent | answers | Heartbeat p50 | p99 | max |`);
console.log('|---|---|---|---|---|---|');
await phase('no attack', () => 'none');
await phase(`${rate}/s from one address`, () => '127.0.0.9');
await phase(`${rate}/s at other stations, from many addresses`, (i) => `127.0.${10 + Math.floor(i / 5 / 250)}.${1 + (Math.floor(i / 5) % 250)}`, (i) => `OTHER-${i % 200}`);
station.close();
await gateway.kill('SIGTERM');
rmSync(dataDir, { recursive: true, force: true });
