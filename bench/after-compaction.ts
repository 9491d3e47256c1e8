// What the messages right after a heap compaction cost: the gateway (bench/servers.ts) with 2,000
// booted stations, compacting when quiet (`on`, checked every second) or not (`off`, the same
// wait); then 100 of the stations send StatusNotifications as fast as they are answered, and the
// server's CPU per message is read in consecutive 1 s windows.
//   node bench/after-compaction.ts on|off
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { NODE_FLAGS } from '../gateway/node-flags.js';
import { IdleStation } from '../test/helpers/idle-station.ts';
import { cpuMicrosOf } from './process-cpu.ts';

const compact = process.argv[2] !== 'off';
const SERVER = fileURLToPath(new URL('./servers.ts', import.meta.url));
const child = fork(SERVER, ['gateway'], {
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [...process.execArgv, ...NODE_FLAGS],
  env: { ...process.env, BENCH_IDLE_COMPACTION_SEC: compact ? '1' : '0' },
});
// A run that fails half way does not leave the server running.
process.on('exit', () => child.kill());
const [{ port }] = (await once(child, 'message')) as [{ port: number }];
const stations: IdleStation[] = [];
for (let i = 0; i < 2000; i += 200) {
  stations.push(...await Promise.all(Array.from({ length: 200 }, async (_, j) => {
    const station = await IdleStation.connect(`ws://127.0.0.1:${port}/ocpp/AFTER-${i + j}`);
    await station.boot();
    return station;
  })));
}
const compactions = async (): Promise<number> => {
  child.send('compactions');
  const [m] = (await once(child, 'message')) as [{ compactions: number }];
  return m.compactions;
};
const waited = Date.now();
if (compact) while ((await compactions()) === 0 && Date.now() - waited < 30_000) await new Promise((r) => setTimeout(r, 200));
else await new Promise((r) => setTimeout(r, 3_000));
const waitedMs = Date.now() - waited;
let running = true;
let answered = 0;
const loops = stations.slice(0, 100).map(async (station, i) => {
  for (let k = i; running; k++) {
    await station.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: k % 2 ? 'Available' : 'Preparing' });
    answered++;
  }
});
const windows: string[] = [];
for (let w = 0; w < 6; w++) {
  const [cpu, n] = [cpuMicrosOf(child.pid!), answered];
  await new Promise((r) => setTimeout(r, 1000));
  windows.push(((cpuMicrosOf(child.pid!) - cpu) / (answered - n)).toFixed(0));
}
running = false;
await Promise.allSettled(loops);
console.log(`compaction ${compact ? 'on' : 'off'} (${await compactions()} compaction(s) in the ${waitedMs} ms after the burst): µs of server CPU per StatusNotification, 1 s windows: ${windows.join(' ')}`);
for (const station of stations) station.ws.terminate();
child.send('report');
await once(child, 'exit');
