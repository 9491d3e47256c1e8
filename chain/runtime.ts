import type { Call } from '@polkadot/types/interfaces';
import type { Registry } from '@polkadot/types/types';

/**
 * Which call shapes the connected runtime offers. peaq's genesis runtime, today's peaq and
 * the test chains differ (shared/PEAQ-WIRE.md §5-§7), so every call is built from this,
 * read from the chain's metadata, never assumed.
 */
export interface RuntimeShape {
  specName: string;
  /** The multisig pallet as polkadot-js names it ("multisig", or peaq genesis' "multiSig"); absent: none. */
  multisig?: {
    pallet: string;
    /** Old pallets take `store_call: bool` in as_multi. */
    storeCall: boolean;
    /** `max_weight` as a plain u64 (old) or Weight { refTime, proofSize } (WeightV2). */
    weight: 'u64' | 'v2';
  };
  /** The transfer that may not take the sender below the existential deposit (funding the deposit). */
  transfer: string;
  /** The transfer a payout uses: transferAllowDeath where it exists, else the old `transfer`. */
  payoutTransfer: string;
  /** utility.batchAll, which makes every payout call unique to its session. */
  batchAll: boolean;
  /** peaq's `transaction` pallet (service_requested / service_delivered). */
  transactionPallet: boolean;
  peaqDid: boolean;
  remarkWithEvent: boolean;
  existentialDeposit: bigint;
  ss58Prefix: number;
  decimals: number;
  symbol: string;
}

type CallFn = ((...args: unknown[]) => Call | { method: Call }) & { meta: { args: { name: { toString(): string } }[] } };

/** What the shape is read from: the live ApiPromise, or metadata expanded offline (tests). */
export interface MetadataView {
  tx: Record<string, Record<string, CallFn | undefined> | undefined>;
  consts: Record<string, Record<string, { toString(): string } | undefined> | undefined>;
  registry: Registry;
  specName: string;
}

// polkadot-js camel-cases pallet names: `Multisig` → multisig, peaq genesis' `MultiSig` → multiSig.
const MULTISIG_PALLETS = ['multisig', 'multiSig'];

export function detectShape(view: MetadataView): RuntimeShape {
  const has = (pallet: string, call: string): boolean => Boolean(view.tx[pallet]?.[call]);
  const pallet = MULTISIG_PALLETS.find((p) => has(p, 'asMulti'));
  const asMultiArgs = pallet ? view.tx[pallet]!.asMulti!.meta.args.map((a) => a.name.toString()) : [];
  const weightType = pallet ? weightKind(view, pallet) : 'v2';
  const balances = (call: string) => has('balances', call);
  const ed = view.consts.balances?.existentialDeposit;
  return {
    specName: view.specName,
    ...(pallet ? { multisig: { pallet, storeCall: asMultiArgs.includes('storeCall'), weight: weightType } } : {}),
    transfer: balances('transferKeepAlive') ? 'transferKeepAlive' : 'transfer',
    payoutTransfer: balances('transferAllowDeath') ? 'transferAllowDeath' : 'transfer',
    batchAll: has('utility', 'batchAll'),
    transactionPallet: has('transaction', 'serviceDelivered'),
    peaqDid: has('peaqDid', 'addAttribute'),
    remarkWithEvent: has('system', 'remarkWithEvent'),
    existentialDeposit: ed ? BigInt(ed.toString()) : 0n,
    ss58Prefix: view.registry.chainSS58 ?? 42,
    decimals: view.registry.chainDecimals[0] ?? 12,
    symbol: view.registry.chainTokens[0] ?? 'UNIT',
  };
}

/** The type of as_multi's max_weight: a bare u64 (WeightV1) or the two-dimensional WeightV2. */
function weightKind(view: MetadataView, pallet: string): 'u64' | 'v2' {
  const meta = view.tx[pallet]!.asMulti!.meta as unknown as { fields: { name: { toString(): string }; type: { toNumber(): number } }[] };
  const field = meta.fields.find((f) => f.name.toString() === 'max_weight');
  if (!field) return 'v2';
  return view.registry.lookup.getTypeDef(field.type.toNumber()).type.includes('refTime') ? 'v2' : 'u64';
}
