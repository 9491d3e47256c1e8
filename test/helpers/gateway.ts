import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../gateway/config/load.ts';
import type { Config } from '../../gateway/config/schema.ts';
import { startGateway, type GatewayNode } from '../../gateway/node.ts';
import { jsonLogger, silentLogger } from '../../src/log/logger.ts';
import type { Clock } from '../../src/domain/clock.ts';

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends (infer U)[] ? U[] : T[K] extends object ? DeepPartial<T[K]> : T[K] };

function merge(target: Record<string, any>, patch: Record<string, any>): void {
  for (const [k, v] of Object.entries(patch)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) merge((target[k] ??= {}), v);
    else target[k] = v;
  }
}

export function tempDir(prefix = 'cgw-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** The embedded defaults with test overrides: loopback, free ports, a temp data folder. */
export function testConfig(overrides: DeepPartial<Config> = {}, dataDir = tempDir()): Config {
  const config = loadConfig({ env: {} });
  merge(config as any, { dataDir, ocpp: { host: '127.0.0.1', port: 0, tls: { port: 0 } }, p2p: { listen: ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws'] }, admin: { port: 0 } });
  merge(config as any, overrides as any);
  return config;
}

export interface TestGateway extends GatewayNode {
  url: string;
  config: Config;
  /** Stops the node and removes its data folder. */
  cleanup(): Promise<void>;
}

/** A whole gateway node in this process (set CGW_TEST_LOG=debug to see its log). */
export async function startTestGateway(overrides: DeepPartial<Config> = {}, dataDir?: string, clock?: Clock): Promise<TestGateway> {
  const config = testConfig(overrides, dataDir);
  const level = process.env.CGW_TEST_LOG;
  const log = level === 'debug' || level === 'info' ? jsonLogger(level, process.stderr) : silentLogger;
  const node = await startGateway(config, log, clock);
  let stopped = false;
  return {
    ...node,
    config,
    url: `ws://127.0.0.1:${node.ocppPort}${config.ocpp.path}`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await node.stop();
    },
    async cleanup() {
      if (!stopped) {
        stopped = true;
        await node.stop();
      }
      rmSync(config.dataDir, { recursive: true, force: true });
    },
  };
}
