import type { KeyringPair } from '@polkadot/keyring/types';
import { verifyReceipt } from '../src/consumer/receipts.ts';
import type { P2p_ServiceDeliveredData as ServiceDelivered, P2p_TransactionValue as TransactionValue } from '../src/proto/types.ts';
import type { ChainClient, Inclusion } from './client.ts';
import { callHash, finalApproval, otherSignatories, payoutCall } from './multisig.ts';

/** Refused: the payouts do not match what the gateway signed. */
export class PayoutMismatch extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayoutMismatch';
  }
}

/**
 * The consumer's side of settlement: checks the gateway-signed receipt, rebuilds each payout
 * call from it, compares the call hashes with SERVICE_DELIVERED, and only then executes them
 * with its final multisig approval. A forged or altered receipt, or a payout asking more than
 * the receipt says, executes nothing.
 */
export async function approvePayouts(
  chain: ChainClient,
  consumer: KeyringPair,
  gatewayKey: Uint8Array,
  receiptEnvelope: Uint8Array,
  delivered: ServiceDelivered,
): Promise<{ spent?: Inclusion; refund?: Inclusion }> {
  const receipt = await verifyReceipt(receiptEnvelope, gatewayKey).catch((err: unknown) => {
    throw new PayoutMismatch(`the receipt is not signed by the gateway: ${(err as Error).message}`);
  });
  const owed = BigInt(receipt.totalAmount);
  const spent = BigInt(delivered.spentInfo?.tokenNum || '0');
  if (spent > owed) throw new PayoutMismatch(`the gateway asks ${spent}, the signed receipt says ${owed}`);
  const multisig = chain.multisigAddress([consumer.publicKey, gatewayKey]);
  const others = otherSignatories(chain, [consumer.publicKey, gatewayKey], consumer.publicKey);
  const out: { spent?: Inclusion; refund?: Inclusion } = {};
  const plans: ['spent' | 'refund', string, TransactionValue | undefined][] = [
    ['spent', chain.address(gatewayKey), delivered.spentInfo],
    ['refund', chain.address(consumer.publicKey), delivered.refundInfo],
  ];
  for (const [kind, to, info] of plans) {
    if (!info || BigInt(info.tokenNum || '0') === 0n) continue;
    const call = payoutCall(chain, to, BigInt(info.tokenNum));
    if (callHash(call) !== info.callHash) throw new PayoutMismatch(`the ${kind} payout is not the call the gateway approved`);
    if (!info.timePoint) throw new PayoutMismatch(`the ${kind} payout has no timepoint`);
    const tx = await finalApproval(chain, others, { height: info.timePoint.height, index: info.timePoint.index }, call, multisig);
    out[kind] = await chain.submit(tx, consumer);
  }
  return out;
}
