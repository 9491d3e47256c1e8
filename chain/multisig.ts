import type { SubmittableExtrinsic } from '@polkadot/api/types';
import { sortAddresses } from '@polkadot/util-crypto';
import type { ChainClient } from './client.ts';

type Tx = SubmittableExtrinsic<'promise'>;

export interface Timepoint {
  height: number;
  index: number;
}

/** The other signatories of a multisig, sorted as the pallet requires and without the sender. */
export function otherSignatories(chain: ChainClient, all: Uint8Array[], me: Uint8Array): string[] {
  const others = all.filter((k) => Buffer.compare(Buffer.from(k), Buffer.from(me)) !== 0).map((k) => chain.address(k));
  return sortAddresses(others, chain.features.ss58Prefix);
}

/**
 * A payout from the multisig: a transfer that may empty the account (the last payout drains
 * it). The gateway and the consumer build it the same way, so its hash matches on both sides.
 */
export function payoutCall(chain: ChainClient, to: string, amount: bigint): Tx {
  const balances = chain.api.tx.balances as unknown as Record<string, ((to: string, amount: bigint) => Tx) | undefined>;
  const transfer = balances.transferAllowDeath ?? balances.transfer;
  if (!transfer) throw new Error('this chain has no balances transfer call');
  return transfer(to, amount);
}

/** 0x-hex blake2-256 of the call: what the multisig pallet keys the operation by. */
export function callHash(call: Tx): string {
  return call.method.hash.toHex();
}

/** The first approval (no timepoint), which opens the multisig operation for `call`. */
export function firstApproval(chain: ChainClient, others: string[], call: Tx): Tx {
  return asMulti(chain, others, null, call, 0n);
}

/** The final approval, which executes `call` from the multisig. */
export async function finalApproval(chain: ChainClient, others: string[], timepoint: Timepoint, call: Tx, multisig: string): Promise<Tx> {
  const info = await call.paymentInfo(multisig);
  const weight = info.weight as unknown as { refTime?: { toBigInt(): bigint }; proofSize?: { toBigInt(): bigint }; toBigInt?: () => bigint };
  // Twice the estimate: the limit only caps what the call may use.
  const refTime = (weight.refTime?.toBigInt() ?? weight.toBigInt?.() ?? 1_000_000_000n) * 2n;
  const proofSize = (weight.proofSize?.toBigInt() ?? 100_000n) * 2n;
  return asMulti(chain, others, timepoint, call, refTime, proofSize);
}

/** as_multi in the shape of the connected runtime (current, or legacy with store_call and a u64 weight). */
function asMulti(chain: ChainClient, others: string[], timepoint: Timepoint | null, call: Tx, refTime: bigint, proofSize = 0n): Tx {
  const multisig = chain.api.tx.multisig as unknown as Record<string, (...args: unknown[]) => Tx>;
  if (chain.features.multisig === 'legacy') return multisig.asMulti!(2, others, timepoint, call.method.toHex(), false, refTime);
  if (chain.features.multisig === 'current') return multisig.asMulti!(2, others, timepoint, call.method, { refTime, proofSize });
  throw new Error('this chain has no multisig pallet');
}

/** The open multisig operation for a call, if the gateway approved it already. */
export async function pendingOperation(chain: ChainClient, multisig: string, call: Tx): Promise<Timepoint | undefined> {
  const op = (await chain.api.query.multisig.multisigs(multisig, call.method.hash)) as unknown as {
    isSome: boolean; unwrap(): { when: { height: { toNumber(): number }; index: { toNumber(): number } } };
  };
  if (!op.isSome) return undefined;
  const { when } = op.unwrap();
  return { height: when.height.toNumber(), index: when.index.toNumber() };
}
