import { createHash } from 'node:crypto';
import { blake2AsHex } from '@polkadot/util-crypto';
import type { ChainClient } from './client.ts';

// Blocks looked through for a record sent before a crash: settlement retries within seconds to
// hours of its first attempt, far fewer blocks than this.
const MAX_BLOCKS_SCANNED = 5_000;

/** What the chain-neutral record of a delivery says (system.remarkWithEvent): the session and its receipt's hash. */
export function deliveryRemark(sessionId: string, receipt: unknown): string {
  return `charging-gateway:service-delivered:${sessionId}:${createHash('sha256').update(JSON.stringify(receipt)).digest('hex')}`;
}

export interface DeliveryToFind {
  sessionId: string;
  /** The remark, where the chain has no transaction pallet. */
  remark: string;
  /** The session's payout call hashes, which peaq's serviceDelivered event carries. */
  callHashes: string[];
}

/**
 * The sessions whose delivery record the gateway (`sender`) already put on chain since block
 * `from`: a settlement that stopped after sending the record and before keeping that it did
 * must not record (and pay for) it again.
 */
export async function recordedSince(chain: ChainClient, sender: string, from: number, deliveries: DeliveryToFind[]): Promise<{ found: Set<string>; unknown?: string }> {
  const found = new Set<string>();
  if (!deliveries.length) return { found };
  const head = (await chain.head()).number;
  // Too far back to look through, or a node that no longer keeps those blocks' state: the
  // answer is unknown, and the caller must not send the record again on a guess.
  if (head - from > MAX_BLOCKS_SCANNED) return { found, unknown: `the approvals are ${head - from} blocks old, more than the ${MAX_BLOCKS_SCANNED} looked through` };
  const remarkHashes = new Map<string, string>(deliveries.map((d) => [blake2AsHex(d.remark), d.sessionId]));
  for (let n = from; n <= head && found.size < deliveries.length; n++) {
    let events;
    try {
      const hash = await chain.api.rpc.chain.getBlockHash(n);
      events = await (await chain.api.at(hash)).query.system!.events!() as unknown as { event: { section: string; method: string; data: { toJSON(): unknown } } }[];
    } catch (err) {
      return { found, unknown: `the events of block ${n} cannot be read (${(err as Error).message})` };
    }
    for (const { event } of events) {
      const data = event.data.toJSON();
      if (event.section === 'system' && event.method === 'Remarked') {
        const [who, remarkHash] = data as [string, string];
        const session = remarkHashes.get(remarkHash);
        if (session && chain.address(chain.api.createType('AccountId', who).toU8a()) === sender) found.add(session);
      } else if (event.section === 'transaction' && event.method === 'ServiceDelivered') {
        const text = JSON.stringify(data);
        for (const d of deliveries) if (d.callHashes.some((h) => text.includes(h))) found.add(d.sessionId);
      }
    }
  }
  return { found };
}

/**
 * Whether a transaction of `sender` still waits in the node's pool (a record sent before may
 * yet be included): then nothing is sent again until it is decided. Unknown (the RPC is not
 * served) counts as no.
 */
export async function pendingFrom(chain: ChainClient, sender: string): Promise<boolean> {
  try {
    const pending = await chain.api.rpc.author.pendingExtrinsics();
    return pending.some((x) => x.isSigned && chain.address(x.signer.toU8a(true).slice(-32)) === sender);
  } catch {
    return false;
  }
}
