import { readFileSync } from 'node:fs';
import { destroyWorker, setupWithServer } from '@acala-network/chopsticks';
import { rococo_v2_2_asset_hub } from '@substrate/connect-known-chains';

export interface DevChain {
  endpoint: string;
  close(): Promise<void>;
}

/**
 * The raw chain spec the money tests run on: CGW_TEST_CHAIN_SPEC (e.g. peaq's genesis, which
 * cannot be downloaded in CI, for a local check), else the Asset Hub genesis from npm.
 */
export function testChainSpec(): string | undefined {
  return process.env.CGW_TEST_CHAIN_SPEC || undefined;
}

/**
 * A real local Substrate chain: chopsticks on a raw chain spec (`specFile`), by default the
 * Asset Hub genesis that ships on npm (balances, multisig and utility); a block for every
 * transaction. `endowed` accounts start with the given free balance.
 */
export async function startDevChain(o: { host?: string; port?: number; endowed?: Record<string, bigint>; specFile?: string | undefined } = {}): Promise<DevChain> {
  const accounts = Object.entries(o.endowed ?? {}).map(([address, free]) => [[address], { providers: 1, data: { free: free.toString() } }]);
  const { specFile } = o;
  const chain = await setupWithServer({
    genesis: JSON.parse(specFile ? readFileSync(specFile, 'utf8') : rococo_v2_2_asset_hub),
    host: o.host ?? '127.0.0.1',
    port: o.port ?? 0,
    'build-block-mode': 'Instant',
    'import-storage': { System: { Account: accounts } },
  } as Parameters<typeof setupWithServer>[0]);
  return {
    endpoint: `ws://${chain.addr}`,
    async close() {
      await chain.close();
      // chopsticks keeps a worker thread; without this the process never exits.
      await destroyWorker();
    },
  };
}
