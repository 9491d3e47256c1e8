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
  const genesis = JSON.parse(specFile ? readFileSync(specFile, 'utf8') : rococo_v2_2_asset_hub) as { properties?: Record<string, unknown> };
  // The bundled Asset Hub genesis is shown in peaq's units (18 decimals, PEAQ), so amounts
  // read the same here as on peaq. Only the chain's announced properties change, not its
  // runtime (whose own SS58 prefix, 2, is what addresses are shown with).
  if (!specFile) genesis.properties = { ...genesis.properties, tokenDecimals: 18, tokenSymbol: 'PEAQ' };
  const chain = await setupWithServer({
    genesis,
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
