import type { KeyringPair } from '@polkadot/keyring/types';
import type { ChainClient, Inclusion } from './client.ts';

export interface DepositStatus {
  /** The 2-of-2 multisig of (consumer, gateway) that holds the deposit. */
  multisig: string;
  free: bigint;
  required: bigint;
  enough: boolean;
}

/** Whether the consumer's deposit in the (consumer, gateway) multisig covers the minimum. */
export async function checkDeposit(chain: ChainClient, consumerKey: Uint8Array, gatewayKey: Uint8Array, required: bigint): Promise<DepositStatus> {
  const multisig = chain.multisigAddress([consumerKey, gatewayKey]);
  const free = await chain.freeBalance(multisig);
  return { multisig, free, required, enough: free >= required };
}

/** The consumer side: pays `amount` into the (consumer, gateway) multisig. */
export async function fundDeposit(chain: ChainClient, consumer: KeyringPair, gatewayKey: Uint8Array, amount: bigint): Promise<{ multisig: string; inclusion: Inclusion }> {
  const multisig = chain.multisigAddress([consumer.publicKey, gatewayKey]);
  return { multisig, inclusion: await chain.submit(chain.transfer(multisig, amount), consumer) };
}
