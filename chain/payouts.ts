import type { Call } from '@polkadot/types/interfaces';
import type { ChainClient } from './client.ts';

/** spent → the gateway, refund → the consumer, debt → the gateway (a remainder paid later). */
export type PayoutKind = 'spent' | 'refund' | 'debt';

export interface PayoutSpec {
  sessionId: string;
  kind: PayoutKind;
  /** Distinguishes several debt payouts of one session; 0 otherwise. */
  seq: number;
  to: string;
  amount: bigint;
}

/** The remark that makes a payout call unique: it names the session and the payout. */
export function payoutRemark(p: Pick<PayoutSpec, 'sessionId' | 'kind' | 'seq'>): string {
  return `charging-gateway:${p.kind}:${p.sessionId}${p.seq ? `:${p.seq}` : ''}`;
}

/**
 * A payout from the multisig: `utility.batchAll([transfer, remark])`. The remark names the
 * session, so two sessions with identical amounts never share a call hash (and so never
 * share one multisig operation). The gateway and the consumer build it the same way from
 * the signed receipt, so the hash matches on both sides.
 */
export function payoutCall(chain: ChainClient, p: PayoutSpec): Call {
  const { shape } = chain;
  if (!shape.batchAll) throw new Error(`this chain (${shape.specName}) has no utility.batchAll, so payouts cannot be made unique`);
  const tx = chain.api.tx as unknown as Record<string, Record<string, (...args: unknown[]) => { method: Call }>>;
  const transfer = tx.balances![shape.payoutTransfer]!(p.to, p.amount).method;
  const remark = tx.system!.remark!(payoutRemark(p)).method;
  return tx.utility!.batchAll!([transfer, remark]).method;
}
