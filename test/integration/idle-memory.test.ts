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

interface Compaction { heapBeforeMiB: number; heapAfterMiB: number; rssBeforeMiB: number; rssAfterMiB: number; pauseMs: number }

/** The node's "memory compacted while quiet" line. */
function compactionLine(output: string[]): Compaction | undefined {
  const line = output.find((l) => l.includes('"memory compacted while quiet"'));
  return line ? (JSON.parse(line) as Compaction) : undefined;
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
    const heap = `${compaction.heapBeforeMiB} -> ${compaction.heapAfterMiB} MiB`;
    const rss = `${compaction.rssBeforeMiB} -> ${compaction.rssAfterMiB} MiB`;
    t.diagnostic(`heap ${heap}, RSS ${rss}, pause ${compaction.pauseMs} ms`);
    assert.ok(compaction.heapAfterMiB < compaction.heapBeforeMiB - 32, `the heap gave back what it held spare: ${heap}`);
    assert.ok(compaction.rssAfterMiB < compaction.rssBeforeMiB, `the process's resident memory fell: ${rss}`);
    assert.equal(await metric(gateway.admin, 'cgw_memory_compactions_total'), 1);
    // Every station still gets its answers.
    const answers = await Promise.all(stations.map((s) => s.call('Heartbeat', {})));
    assert.ok(answers.every(([type]) => type === 3), 'every station answered after the compaction');
  });
});
