import { ChainClient } from '../chain/client.ts';
import { checkDeposit } from '../chain/deposit.ts';
import { SettlementService, type SettlementStore } from '../chain/settlement.ts';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { Session_ConsumerSession as ConsumerSession } from '../src/proto/types.ts';
import type { Logger } from '../src/log/logger.ts';
import type { Admission } from '../src/ocpp/charging-bridge.ts';
import type { Config } from './config/schema.ts';

export interface RunningChain {
  /** The connected client, once the chain has answered. */
  client(): ChainClient | undefined;
  admission: Admission;
  /** Settles finished sessions from the durable queue (started by startSettlement). */
  settlement?: SettlementService;
  startSettlement(gateway: KeyringPair, store: SettlementStore, settled: (identity: string, session: ConsumerSession) => Promise<void>): void;
  /** Runs every time the chain (re)connects, e.g. to publish the DID document. */
  onReady(task: (client: ChainClient) => Promise<void>): void;
  stop(): Promise<void>;
}

/**
 * Connects to the configured chain in the background (the provider keeps retrying): a chain
 * that is down never keeps the node from serving stations. While it is away, new
 * authorizations are refused, because no deposit can be checked.
 */
export function startChain(config: Config, gatewayPublicKey: Uint8Array, log: Logger): RunningChain {
  // The callback runs later, after `running` below exists.
  const client: ChainClient = ChainClient.open(config.chain.endpoint, (event) => {
    if (event === 'ready') {
      log.info('connected to the chain', { endpoint: config.chain.endpoint, ...client.features });
      // Settlements that waited for the chain go out now.
      running.settlement?.nudge();
      for (const task of readyTasks) task(client).catch((err: unknown) => log.warn('a task on chain connection failed', { err }));
    } else {
      log.warn('chain connection lost; reconnecting', { endpoint: config.chain.endpoint });
    }
  });
  log.info('connecting to the chain', { endpoint: config.chain.endpoint });
  const required = BigInt(config.chain.minimumDeposit);
  const readyTasks: ((client: ChainClient) => Promise<void>)[] = [];
  const running: RunningChain = {
    onReady(task) {
      readyTasks.push(task);
      if (client.isConnected) task(client).catch((err: unknown) => log.warn('a task on chain connection failed', { err }));
    },
    client: () => (client.isConnected ? client : undefined),
    startSettlement(gateway, store, settled) {
      this.settlement = new SettlementService({
        chain: () => (client.isConnected ? client : undefined), gateway, store, settled, finality: config.chain.waitForFinality, log: log.child({ part: 'settlement' }),
      });
      this.settlement.nudge();
    },
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
      await this.settlement?.stop();
      await client.disconnect();
    },
  };
  return running;
}
