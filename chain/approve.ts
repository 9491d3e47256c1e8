import type { KeyringPair } from '@polkadot/keyring/types';
import { verifyReceipt } from '../src/consumer/receipts.ts';
import type { P2p_ServiceDeliveredData as ServiceDelivered, P2p_TransactionValue as TransactionValue, Session_Receipt as Receipt } from '../src/proto/types.ts';
import type { ChainClient, Inclusion } from './client.ts';
import { callHash, executingApproval, operation, otherSignatories } from './multisig.ts';
import { payoutCall, type PayoutKind } from './payouts.ts';

/** Refused: the payouts do not match what the gateway signed. */
export class PayoutMismatch extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayoutMismatch';
  }
}

/** One SERVICE_DELIVERED and the signed receipt (STOP_TRANSACTION_RESPONSE envelope) of its session. */
export interface Delivery {
  receipt: Uint8Array;
  delivered: ServiceDelivered;
}

export interface Approval {
  sessionId: string;
  kind: PayoutKind;
  seq: number;
  amount: bigint;
  callHash: string;
  /**
   * executed: this approval executed the payout; closed: nothing to approve (executed
   * before); approved: the consumer approved it already and the gateway executes it.
   */
  outcome: 'executed' | 'closed' | 'approved';
  inclusion?: Inclusion;
}

interface Checked {
  info: TransactionValue;
  kind: PayoutKind;
  call: ReturnType<typeof payoutCall>;
}

/**
 * The consumer's side of settlement: checks each gateway-signed receipt, rebuilds every
 * payout call from it, compares the call hashes with SERVICE_DELIVERED, and checks that the
 * gateway asks no more than the receipt; only then executes the open ones with its final
 * multisig approval, smallest first. A payout already executed, or already approved and
 * waiting for the gateway, is reported and costs nothing. A forged or altered receipt, or a
 * payout asking more than the receipt says, executes nothing.
 */
export async function approvePayouts(chain: ChainClient, consumer: KeyringPair, gatewayKey: Uint8Array, deliveries: Delivery[]): Promise<Approval[]> {
  const receipts = new Map<string, Receipt>();
  const asked = new Map<string, bigint>();
  const checked: Checked[] = [];
  const seen = new Set<string>();
  for (const { receipt: envelope, delivered } of deliveries) {
    const receipt = await verifyReceipt(envelope, gatewayKey).catch((err: unknown) => {
      throw new PayoutMismatch(`the receipt is not signed by the gateway: ${(err as Error).message}`);
    });
    receipts.set(receipt.sessionId, receipt);
    for (const info of [delivered.spentInfo, delivered.refundInfo]) {
      if (!info || BigInt(info.tokenNum || '0') === 0n || seen.has(info.callHash)) continue;
      seen.add(info.callHash);
      const kind = (info.kind || (info === delivered.refundInfo ? 'refund' : 'spent')) as PayoutKind;
      if (!['spent', 'refund', 'debt'].includes(kind)) throw new PayoutMismatch(`unknown payout kind "${kind}"`);
      const sessionId = info.sessionId || receipt.sessionId;
      if (sessionId !== receipt.sessionId) throw new PayoutMismatch(`a payout names session ${sessionId}, its receipt is of ${receipt.sessionId}`);
      const to = kind === 'refund' ? chain.address(consumer.publicKey) : chain.address(gatewayKey);
      const call = payoutCall(chain, { sessionId, kind, seq: info.seq, to, amount: BigInt(info.tokenNum) });
      if (callHash(call) !== info.callHash) throw new PayoutMismatch(`the ${kind} payout is not the call the gateway approved`);
      if (kind !== 'refund') asked.set(sessionId, (asked.get(sessionId) ?? 0n) + BigInt(info.tokenNum));
      checked.push({ info, kind, call });
    }
  }
  for (const [sessionId, amount] of asked) {
    const owed = BigInt(receipts.get(sessionId)!.totalAmount);
    if (amount > owed) throw new PayoutMismatch(`the gateway asks ${amount}, the signed receipt says ${owed}`);
  }
  const multisig = chain.multisigAddress([consumer.publicKey, gatewayKey]);
  const others = otherSignatories(chain, [consumer.publicKey, gatewayKey], consumer.publicKey);
  const me = Buffer.from(consumer.publicKey).toString('hex');
  const out: Approval[] = [];
  checked.sort((a, b) => (BigInt(a.info.tokenNum) < BigInt(b.info.tokenNum) ? -1 : 1));
  for (const { info, kind, call } of checked) {
    const base = { sessionId: info.sessionId, kind, seq: info.seq, amount: BigInt(info.tokenNum), callHash: info.callHash };
    // Asked right before sending: an approval of a closed operation fails on chain and costs a fee.
    const op = await operation(chain, multisig, info.callHash);
    if (!op) {
      out.push({ ...base, outcome: 'closed' });
      continue;
    }
    if (op.approvals.includes(me)) {
      out.push({ ...base, outcome: 'approved' });
      continue;
    }
    const tx = await executingApproval(chain, others, op.when, call, multisig);
    out.push({ ...base, outcome: 'executed', inclusion: await chain.submit(tx, consumer) });
  }
  return out;
}
