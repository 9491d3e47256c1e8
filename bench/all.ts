// Every benchmark in turn, with bounded defaults (the OCPP loads alone about 13 minutes; loopback only):
//   npm run bench
// Each prints a Markdown table for BENCHMARKS.md. A benchmark that fails is reported and the
// others still run; the exit code is 0 either way (benchmarks never fail a run on a number).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const runs: [string, string[]][] = [
  ['ocpp-roundtrip.ts', ['100', '5', '3']],
  ...['Heartbeat', 'StatusNotification', 'MeterValues', 'TransactionEvent', 'BootNotification', 'Authorize', 'StartStop', 'StartedEnded'].map((load): [string, string[]] => ['ocpp-roundtrip.ts', ['100', '5', '3', load]]),
  ['idle-memory.ts', ['10000']],
  ['after-compaction.ts', ['on']],
  ['after-compaction.ts', ['off']],
  ['signature-verify.ts', ['100']],
  ['cold-start.ts', ['10000', '3']],
  ['outbox-replay.ts', ['20000']],
  ['session-latency.ts', ['1,100,1000', '3']],
  ['event-throughput.ts', ['1000,2000,3000,4000,5000,10000', '5', '50']],
  ['settlement.ts', ['40', '1,20,40']],
];
for (const [file, args] of runs) {
  console.log(`\n## ${file} ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [fileURLToPath(new URL(file, import.meta.url)), ...args], { stdio: 'inherit', timeout: 15 * 60_000 });
  if (r.status !== 0) console.log(`(${file} did not finish: ${r.error?.message ?? `exit ${r.status ?? r.signal}`})`);
}
