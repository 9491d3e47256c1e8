// Memory after a burst: thousands of stations connect and boot at once (a reconnect storm), then
// stay connected and quiet. Seen: the node kept the heap the burst had grown (at 10,000 stations
// 100 MB more than it used, still 45 s later; V8 did not shrink it by itself). Now, once quiet, the
// node compacts its heap and hands the spare memory back, and every station is still served.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { tempDir } from '../helpers/gateway.ts';
import { IdleStation } from '../helpers/idle-station.ts';
import { metric } from '../helpers/metrics.ts';
import { UNTHROTTLED_STATIONS, spawnGateway, type GatewayProcess } from '../helpers/process.ts';
import { eventually } from '../helpers/wait.ts';

const STATIONS = 2_000;

/** The numbers of the node's "memory compacted while quiet" line: "before -> after" in MiB. */
function compactionLine(output: string[]): { heap: [number, number]; rss: [number, number]; pauseMs: number } | undefined {
  const line = output.find((l) => l.includes('"memory compacted while quiet"'));
  if (!line) return undefined;
  const record = JSON.parse(line) as { heapMiB: string; rssMiB: string; pauseMs: number };
  const pair = (text: string): [number, number] => text.split(' -> ').map(Number) as [number, number];
  return { heap: pair(record.heapMiB), rss: pair(record.rssMiB), pauseMs: record.pauseMs };
}

describe(`memory after a burst of ${STATIONS} stations`, () => {
  const dataDir = tempDir('cgw-idle-memory-');
  let gateway: GatewayProcess | undefined;
  const stations: IdleStation[] = [];
  after(async () => {
    for (const s of stations) s.ws.terminate();
    await gateway?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is compacted once the node is quiet, and the stations are still served', async (t) => {
    gateway = await spawnGateway({ CGW_DATA_DIR: dataDir, ...UNTHROTTLED_STATIONS, CGW_MEMORY_IDLE_COMPACTION_SEC: '1' }, { timeoutMs: 60_000 });
    for (let i = 0; i < STATIONS; i += 250) {
      stations.push(...await Promise.all(Array.from({ length: Math.min(250, STATIONS - i) }, async (_, j) => {
        const s = await IdleStation.connect(`${gateway!.ocppUrl}/QUIET-${i + j}`);
        await s.boot();
        return s;
      })));
    }
    await eventually(() => compactionLine(gateway!.output) !== undefined, 60_000, 'the node compacted its heap once the stations were quiet');
    const compaction = compactionLine(gateway.output)!;
    t.diagnostic(`heap ${compaction.heap.join(' -> ')} MiB, RSS ${compaction.rss.join(' -> ')} MiB, pause ${compaction.pauseMs} ms`);
    assert.ok(compaction.heap[1] < compaction.heap[0] - 32, `the heap gave back what it held spare: ${compaction.heap.join(' -> ')} MiB`);
    assert.ok(compaction.rss[1] < compaction.rss[0], `the process's resident memory fell: ${compaction.rss.join(' -> ')} MiB`);
    assert.equal(await metric(gateway.admin, 'cgw_memory_compactions_total'), 1);
    // Every station still gets its answers.
    const answers = await Promise.all(stations.map((s) => s.call('Heartbeat', {})));
    assert.ok(answers.every(([type]) => type === 3), 'every station answered after the compaction');
  });
});
