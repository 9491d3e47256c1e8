// Cold start: time from process start to accepting stations with N stations' state in LevelDB.
//   node bench/cold-start.ts [stations=10000] [rounds=3]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { emptyConnector, emptyState } from '../src/domain/charge-point.ts';
import { LevelStore } from '../src/store/level-store.ts';

const [stations = 10_000, rounds = 3] = process.argv.slice(2).map(Number);
const CLI = fileURLToPath(new URL('../gateway/cli.ts', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'cgw-cold-'));

// A realistic state per station: booted, two connectors, a few hundred bytes.
const store = await LevelStore.open(join(dataDir, 'state'));
const writes: Promise<void>[] = [];
for (let i = 0; i < stations; i++) {
  const state = emptyState(`CP-${i}`);
  state.status = 'Accepted';
  state.ocppVersion = 'ocpp1.6';
  state.boot = { chargeBoxSerialNumber: '', chargePointModel: 'M', ChargePointSerialNumber: `SN${i}`, ChargePointVendor: 'V', firmwareVersion: '1.0', iccid: '', imsi: '', meterSerialNumber: '', meterType: '' };
  for (const c of [1, 2]) state.connectors[c] = { ...emptyConnector(c), status: 'Available' };
  writes.push(store.commit({
    identity: state.id, state, finished: [], startKeys: [], ocppTransactionIds: [], seqNos: [], readings: [], reports: [], droppedReports: [], finishedSessions: [], outbox: [], settlements: [], settled: [], payouts: [], debts: [],
  }));
}
await Promise.all(writes);
await store.close();

const times: number[] = [];
for (let r = 0; r < rounds; r++) {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [CLI, 'start'], {
    env: { ...process.env, CGW_DATA_DIR: dataDir, CGW_OCPP_PORT: '0', CGW_ADMIN_PORT: '0', CGW_P2P_LISTEN: '["/ip4/127.0.0.1/tcp/0"]', CGW_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) => {
    let buffer = '';
    child.stdout.on('data', (c: Buffer) => {
      buffer += c.toString();
      if (buffer.includes('"gateway started"')) resolve();
    });
  });
  times.push(Number(process.hrtime.bigint() - started) / 1e6);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}
rmSync(dataDir, { recursive: true, force: true });
const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
console.log(`cold start with ${stations} stations in LevelDB: median ${median.toFixed(0)} ms (runs: ${times.map((t) => t.toFixed(0)).join(', ')} ms)`);
