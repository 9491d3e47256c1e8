// Cold start: time from process start to accepting stations with N stations' state in LevelDB,
// beside the same CLI on an empty data folder and a bare Node.js process, in the same rounds.
//   node bench/cold-start.ts [stations=10000] [rounds=3]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { emptyConnector, emptyState } from '../src/domain/charge-point.ts';
import { emptyChange } from '../src/domain/change.ts';
import { LevelStore } from '../src/store/level-store.ts';

const [stations = 10_000, rounds = 3] = process.argv.slice(2).map(Number);
const CLI = fileURLToPath(new URL('../gateway/cli.ts', import.meta.url));
const fullDir = mkdtempSync(join(tmpdir(), 'cgw-cold-'));
const emptyDir = mkdtempSync(join(tmpdir(), 'cgw-cold-empty-'));

// A realistic state per station: booted, two connectors, a few hundred bytes.
const store = await LevelStore.open(join(fullDir, 'state'));
const writes: Promise<void>[] = [];
for (let i = 0; i < stations; i++) {
  const state = emptyState(`CP-${i}`);
  state.status = 'Accepted';
  state.ocppVersion = 'ocpp1.6';
  state.boot = { chargeBoxSerialNumber: '', chargePointModel: 'M', ChargePointSerialNumber: `SN${i}`, ChargePointVendor: 'V', firmwareVersion: '1.0', iccid: '', imsi: '', meterSerialNumber: '', meterType: '' };
  for (const c of [1, 2]) state.connectors[c] = { ...emptyConnector(c), status: 'Available' };
  writes.push(store.commit(emptyChange(state.id, state)));
}
await Promise.all(writes);
await store.close();

const READY = '"gateway started"';
/** Milliseconds from spawn to the first output line holding READY. */
async function timeToReady(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let buffer = '';
    child.stdout.on('data', (c: Buffer) => {
      buffer += c.toString();
      if (buffer.includes(READY)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited (${code}) before it was ready`)));
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  return ms;
}

const gatewayEnv = (dataDir: string): NodeJS.ProcessEnv => ({ CGW_DATA_DIR: dataDir, CGW_OCPP_PORT: '0', CGW_ADMIN_PORT: '0', CGW_P2P_LISTEN: '["/ip4/127.0.0.1/tcp/0"]', CGW_LOG_LEVEL: 'info' });
// The floor: a Node.js process that prints the same line and waits.
const bare = ['-e', `console.log('${READY}'); setInterval(() => {}, 1000)`];
const runs = { node: [] as number[], empty: [] as number[], full: [] as number[] };
for (let r = 0; r < rounds; r++) {
  runs.node.push(await timeToReady(bare, {}));
  runs.empty.push(await timeToReady([CLI, 'start'], gatewayEnv(emptyDir)));
  runs.full.push(await timeToReady([CLI, 'start'], gatewayEnv(fullDir)));
}
rmSync(fullDir, { recursive: true, force: true });
rmSync(emptyDir, { recursive: true, force: true });

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const line = (name: string, xs: number[]): string => `| ${name} | ${median(xs).toFixed(0)} ms | ${xs.map((t) => t.toFixed(0)).join(' / ')} ms |`;
console.log(`cold start, ${rounds} rounds (the three run in turn each round)`);
console.log('| process | median | runs |\n|---|---|---|');
console.log(line('bare Node.js process', runs.node));
console.log(line('gateway, empty data folder', runs.empty));
console.log(line(`gateway, ${stations} stations in LevelDB`, runs.full));
const perRound = runs.full.map((t, i) => t - runs.empty[i]!);
console.log(`loading ${stations} stations: ${median(perRound).toFixed(0)} ms (full minus empty, by round: ${perRound.map((t) => t.toFixed(0)).join(' / ')})`);
