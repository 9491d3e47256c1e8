import { ChainClient } from '../chain/client.ts';
import { DepositLedger, type LedgerRecords } from '../chain/deposit-ledger.ts';
import { SettlementService, type SettlementStore } from '../chain/settlement.ts';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { SettlementRecord } from '../src/domain/charge-point-service.ts';
import type { KeyedQueue } from '../src/domain/keyed-queue.ts';
import type { Logger } from '../src/log/logger.ts';
import type { DepositCheck } from '../src/app/charging-bridge.ts';
import type { Config } from './config/schema.ts';

export interface RunningChain {
  /** The connected client, once the chain has answered. */
  client(): ChainClient | undefined;
  ledger: DepositLedger;
  /** Reserves each new session's budget from the consumer's deposit. */
  deposit: DepositCheck;
  /** Settles finished sessions from the durable queue (started by startSettlement). */
  settlement?: SettlementService;
  startSettlement(gateway: KeyringPair, store: SettlementStore, record: (identity: string, r: SettlementRecord) => Promise<void>): void;
  /** Runs every time the chain (re)connects, e.g. to publish the DID document. */
  onReady(task: (client: ChainClient) => Promise<void>): void;
  stop(): Promise<void>;
}

/**
 * Connects to the configured chain in the background (the provider keeps retrying): a chain
 * that is down never keeps the node from serving stations. While it is away, new
 * authorizations are refused, because no deposit can be checked.
 */
export function startChain(config: Config, gatewayPublicKey: Uint8Array, records: LedgerRecords, consumerLocks: KeyedQueue, log: Logger): RunningChain {
  // The callback runs later, after `running` below exists.
  const client: ChainClient = ChainClient.open(config.chain.endpoint, (event) => {
    if (event === 'ready') {
      const shape = client.shape;
      log.info('connected to the chain', { endpoint: config.chain.endpoint, ...shape, existentialDeposit: shape.existentialDeposit.toString() });
      // Settlements that waited for the chain go out now.
      running.settlement?.nudge();
      for (const task of readyTasks) task(client).catch((err: unknown) => log.warn('a task on chain connection failed', { err }));
    } else {
      log.warn('chain connection lost; reconnecting', { endpoint: config.chain.endpoint });
    }
  });
  log.info('connecting to the chain', { endpoint: config.chain.endpoint });
  const connected = () => (client.isConnected ? client : undefined);
  const ledger = new DepositLedger({ chain: connected, gatewayKey: gatewayPublicKey, records, minimumBudget: BigInt(config.chain.minimumDeposit) });
  const readyTasks: ((client: ChainClient) => Promise<void>)[] = [];
  const running: RunningChain = {
    ledger,
    deposit: { reserve: (key, requested) => ledger.reserve(key, requested) },
    onReady(task) {
      readyTasks.push(task);
      if (client.isConnected) task(client).catch((err: unknown) => log.warn('a task on chain connection failed', { err }));
    },
    client: connected,
    startSettlement(gateway, store, record) {
      this.settlement = new SettlementService({
        chain: connected, gateway, store, ledger, consumerLocks, record, finality: config.chain.waitForFinality, log: log.child({ part: 'settlement' }),
      });
      this.settlement.nudge();
    },
    async stop() {
      await this.settlement?.stop();
      await client.disconnect();
    },
  };
  return running;
}
