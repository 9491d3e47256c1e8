import { ChainClient } from '../chain/client.ts';
import { checkDeposit } from '../chain/deposit.ts';
import type { Logger } from '../src/log/logger.ts';
import type { Admission } from '../src/ocpp/charging-bridge.ts';
import type { Config } from './config/schema.ts';

export interface RunningChain {
  /** The connected client, once the chain has answered. */
  client(): ChainClient | undefined;
  admission: Admission;
  stop(): Promise<void>;
}

/**
 * Connects to the configured chain in the background (the provider keeps retrying): a chain
 * that is down never keeps the node from serving stations. While it is away, new
 * authorizations are refused, because no deposit can be checked.
 */
export function startChain(config: Config, gatewayPublicKey: Uint8Array, log: Logger): RunningChain {
  const client: ChainClient = ChainClient.open(config.chain.endpoint, (event) => {
    if (event === 'ready') log.info('connected to the chain', { endpoint: config.chain.endpoint, ...client.features });
    else log.warn('chain connection lost; reconnecting', { endpoint: config.chain.endpoint });
  });
  log.info('connecting to the chain', { endpoint: config.chain.endpoint });
  const required = BigInt(config.chain.minimumDeposit);
  return {
    client: () => (client.isConnected ? client : undefined),
    async admission(_station, key) {
      if (!client.isConnected) return { code: 'ChainUnavailable', message: 'the chain is not reachable, so the deposit cannot be checked; try again shortly' };
      const d = await checkDeposit(client, key.bytes, gatewayPublicKey, required);
      if (d.enough) return undefined;
      return {
        code: 'InsufficientDeposit',
        message: `the deposit is too low: the multisig ${d.multisig} of you and the gateway holds ${d.free}, at least ${d.required} (smallest unit) is needed`,
      };
    },
    async stop() {
      await client.disconnect();
    },
  };
}
