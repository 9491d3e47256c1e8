// What a consumer does on chain, shared by the consumer CLI and the npm scripts: fund the
// deposit, look at it, approve the payouts the gateway asks for.
import { peerIdFromString } from '@libp2p/peer-id';
import type { KeyringPair } from '@polkadot/keyring/types';
import { decodeAddress } from '@polkadot/util-crypto';
import type { ConsumerClient, GatewayEvent } from '../src/consumer/client.ts';
import type { P2p_TransactionValue as TransactionValue } from '../src/proto/types.ts';
import { approvePayouts, type Approval, type Delivery } from './approve.ts';
import type { ChainClient } from './client.ts';
import { fundDeposit } from './deposit.ts';
import { openOperations } from './multisig.ts';

/**
 * The gateway's public key from what a user has at hand: its chain account (SS58), the key
 * as 0x-hex, or its libp2p address ending in /p2p/<peer id> (the peer id is the key).
 */
export function gatewayKeyFrom(text: string): Uint8Array {
  const t = text.trim();
  const peer = /\/p2p\/([1-9A-HJ-NP-Za-km-z]+)$/.exec(t)?.[1] ?? (/^12D3Koo/.test(t) ? t : undefined);
  if (peer) {
    const id = peerIdFromString(peer);
    if (id.type !== 'Ed25519' || !id.publicKey) throw new Error(`the gateway peer id ${peer} is not an Ed25519 key`);
    return id.publicKey.raw;
  }
  if (/^0x[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t.slice(2), 'hex');
  try {
    return decodeAddress(t);
  } catch {
    throw new Error(`not a gateway: "${text}" (give its chain account, its key as 0x-hex, or its /p2p/ multiaddr)`);
  }
}

/** An amount both ways: for people (decimals and currency) and for scripts (smallest unit). */
export function amountOut(chain: ChainClient, amount: bigint): { text: string; units: string } {
  return { text: chain.format(amount), units: amount.toString() };
}

export async function fund(chain: ChainClient, consumer: KeyringPair, gatewayKey: Uint8Array, amount: bigint): Promise<Record<string, unknown>> {
  if (amount <= 0n) throw new Error('the amount must be more than zero');
  const { multisig, inclusion } = await fundDeposit(chain, consumer, gatewayKey, amount);
  return {
    consumer: chain.address(consumer.publicKey), gateway: chain.address(gatewayKey), multisig, deposited: amountOut(chain, amount),
    balance: amountOut(chain, await chain.freeBalance(multisig)), block: inclusion.blockNumber,
  };
}

/**
 * The multisig as the chain sees it: its balance and the payouts open on it. With the
 * payouts the gateway announced (SERVICE_DELIVERED), each open one is shown with its session,
 * kind and amount, and what they add up to is the part of the balance already promised.
 */
export async function depositStatus(chain: ChainClient, consumerKey: Uint8Array, gatewayKey: Uint8Array, announced: TransactionValue[] = []): Promise<Record<string, unknown>> {
  const multisig = chain.multisigAddress([consumerKey, gatewayKey]);
  const me = Buffer.from(consumerKey).toString('hex');
  const ops = await openOperations(chain, multisig);
  const byHash = new Map(announced.map((v) => [v.callHash, v]));
  const free = await chain.freeBalance(multisig);
  const open = ops.map(({ callHash, op }) => {
    const v = byHash.get(callHash);
    return {
      ...(v ? { session: v.sessionId, kind: v.kind, amount: amountOut(chain, BigInt(v.tokenNum)), payee: v.kind === 'refund' ? 'you' : 'the gateway' } : {}),
      callHash, timepoint: op.when, approvedByYou: op.approvals.includes(me), approvals: op.approvals.length,
    };
  });
  const promised = ops.reduce((sum, { callHash }) => sum + BigInt(byHash.get(callHash)?.tokenNum ?? '0'), 0n);
  return {
    multisig, consumer: chain.address(consumerKey), gateway: chain.address(gatewayKey),
    free: amountOut(chain, free),
    ...(announced.length ? { promised: amountOut(chain, promised), notPromised: amountOut(chain, free - promised) } : {}),
    existentialDeposit: amountOut(chain, chain.shape.existentialDeposit),
    openPayouts: open,
  };
}

/** The payouts this gateway announced to the consumer (every SERVICE_DELIVERED so far). */
export async function announcedPayouts(client: ConsumerClient): Promise<TransactionValue[]> {
  const events: GatewayEvent[] = [];
  await client.follow(client.topic, (e) => events.push(e));
  return events.flatMap((e) => (e.event.eventId === 'SERVICE_DELIVERED' ? [e.event.serviceDeliveredData?.spentInfo, e.event.serviceDeliveredData?.refundInfo] : []))
    .filter((v): v is TransactionValue => Boolean(v?.callHash));
}

/**
 * Approves every payout the gateway told this consumer about (SERVICE_DELIVERED) that is
 * still open, each checked against its signed receipt first.
 */
export async function approveAll(chain: ChainClient, client: ConsumerClient, consumer: KeyringPair): Promise<{ approvals: Approval[]; message: string }> {
  const events: GatewayEvent[] = [];
  await client.follow(client.topic, (e) => events.push(e));
  const receipts = new Map<string, Uint8Array>();
  for (const e of events) {
    const r = e.event.stopTransactionResponseData?.receipt;
    if (e.event.eventId === 'STOP_TRANSACTION_RESPONSE' && r) receipts.set(r.sessionId, e.envelope);
  }
  const deliveries: Delivery[] = [];
  for (const e of events) {
    const d = e.event.serviceDeliveredData;
    if (e.event.eventId !== 'SERVICE_DELIVERED' || !d) continue;
    const sessionId = d.spentInfo?.sessionId || d.refundInfo?.sessionId || '';
    const receipt = receipts.get(sessionId);
    if (receipt) deliveries.push({ receipt, delivered: d });
  }
  if (!deliveries.length) return { approvals: [], message: 'nothing to approve: this gateway has delivered no service to this key yet' };
  const approvals = await approvePayouts(chain, consumer, client.gatewayKey, deliveries);
  const executed = approvals.filter((a) => a.outcome === 'executed').length;
  const waiting = approvals.filter((a) => a.outcome === 'approved').length;
  const message = executed
    ? `executed ${executed} payout(s)${waiting ? `; ${waiting} approved earlier wait for the gateway` : ''}`
    : waiting ? `nothing to approve: ${waiting} payout(s) approved earlier wait for the gateway to execute them` : 'nothing to approve: every payout has been executed';
  return { approvals, message };
}
