// What a wallet sees of its money, read the way a wallet would: the gateway's signed events
// (receipts, SERVICE_DELIVERED) and the chain's own Transfer events.
import type { KeyringPair } from '@polkadot/keyring/types';
import type { Delivery } from '../../chain/approve.ts';
import type { ChainClient } from '../../chain/client.ts';
import { executingApproval, hashOnlyApproval, operation, otherSignatories } from '../../chain/multisig.ts';
import { payoutCall, type PayoutKind } from '../../chain/payouts.ts';
import { DOMAIN, open } from '../../src/p2p/envelope.ts';
import { consumerTopic } from '../../src/p2p/protocol.ts';
import { codecFor } from '../../src/proto/codec.ts';
import type { P2p_TransactionValue as TransactionValue } from '../../src/proto/types.ts';
import type { LevelStore } from '../../src/store/level-store.ts';

const eventCodec = codecFor('events.Event');
export const PEAQ = 10n ** 18n;

/** The consumer topic's events, verified with the gateway key (what a wallet fetches). */
export async function walletEvents(store: LevelStore, gatewayKey: Uint8Array, keyHex: string) {
  const envelopes = await store.events.eventsAfter(consumerTopic(keyHex), 0, 1000);
  return Promise.all(envelopes.map(async (bytes) => ({ bytes, event: eventCodec.decode((await open(bytes, { domain: DOMAIN.event, signer: gatewayKey })).payload) })));
}

/** Every SERVICE_DELIVERED with the signed receipt of its session: what `approve` works from. */
export async function deliveries(store: LevelStore, gatewayKey: Uint8Array, keyHex: string): Promise<Delivery[]> {
  const events = await walletEvents(store, gatewayKey, keyHex);
  const receipts = new Map(events.filter((e) => e.event.stopTransactionResponseData?.receipt)
    .map((e) => [e.event.stopTransactionResponseData!.receipt!.sessionId, e.bytes]));
  return events.filter((e) => e.event.eventId === 'SERVICE_DELIVERED').map((e) => {
    const d = e.event.serviceDeliveredData!;
    return { receipt: receipts.get(d.spentInfo?.sessionId || d.refundInfo?.sessionId || '')!, delivered: d };
  });
}

/** The payouts a wallet was told about, one per TransactionValue. */
export function payoutValues(ds: Delivery[]): TransactionValue[] {
  return ds.flatMap((d) => [d.delivered.spentInfo, d.delivered.refundInfo]).filter((v): v is TransactionValue => Boolean(v && BigInt(v.tokenNum || '0') > 0n));
}

/**
 * Transfers out of an account between two block numbers (inclusive), from the chain's own
 * balances.Transfer events: [to, amount].
 */
export async function transfersFrom(chain: ChainClient, from: string, fromBlock: number, toBlock?: number): Promise<[string, bigint][]> {
  const end = toBlock ?? (await chain.head()).number;
  const out: [string, bigint][] = [];
  for (let n = fromBlock; n <= end; n++) {
    const at = await chain.api.at(await chain.api.rpc.chain.getBlockHash(n));
    for (const { event } of (await at.query.system.events()) as unknown as { event: { section: string; method: string; data: { toString(): string }[] } }[]) {
      if (event.section === 'balances' && event.method === 'Transfer' && event.data[0]!.toString() === from) out.push([event.data[1]!.toString(), BigInt(event.data[2]!.toString())]);
    }
  }
  return out;
}

export const total = (transfers: [string, bigint][], to: string): bigint => transfers.filter(([t]) => t === to).reduce((a, [, v]) => a + v, 0n);

/** The consumer executes one payout with the full call (the native wallet's final approval). */
export async function executePayout(chain: ChainClient, consumer: KeyringPair, gatewayKey: Uint8Array, value: TransactionValue): Promise<void> {
  const kind = value.kind as PayoutKind;
  const to = kind === 'refund' ? chain.address(consumer.publicKey) : chain.address(gatewayKey);
  const call = payoutCall(chain, { sessionId: value.sessionId, kind, seq: value.seq, to, amount: BigInt(value.tokenNum) });
  const multisig = chain.multisigAddress([consumer.publicKey, gatewayKey]);
  const op = await operation(chain, multisig, value.callHash);
  if (!op) throw new Error(`no open operation for ${value.callHash}`);
  const others = otherSignatories(chain, [consumer.publicKey, gatewayKey], consumer.publicKey);
  await chain.submit(await executingApproval(chain, others, op.when, call, multisig), consumer);
}

/** The peaq wallet's approval: approve_as_multi with the call hash only, at the timepoint it was told. */
export async function approveByHash(chain: ChainClient, consumer: KeyringPair, gatewayKey: Uint8Array, value: TransactionValue): Promise<void> {
  const others = otherSignatories(chain, [consumer.publicKey, gatewayKey], consumer.publicKey);
  const tp = value.timePoint ? { height: Number(value.timePoint.height), index: Number(value.timePoint.index) } : null;
  await chain.submit(hashOnlyApproval(chain, others, tp, value.callHash), consumer);
}
