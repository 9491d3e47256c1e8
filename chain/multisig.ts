import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { Call } from '@polkadot/types/interfaces';
import { sortAddresses } from '@polkadot/util-crypto';
import type { ChainClient } from './client.ts';
import type { RuntimeShape } from './runtime.ts';

type Tx = SubmittableExtrinsic<'promise'>;
type TxFn = (...args: unknown[]) => Tx;

export interface Timepoint {
  height: number;
  index: number;
}

/** An open multisig operation as the pallet stores it. */
export interface Operation {
  when: Timepoint;
  /** Who approved so far: their public keys, hex. */
  approvals: string[];
}

/** The other signatories of a multisig, sorted as the pallet requires and without the sender. */
export function otherSignatories(chain: ChainClient, all: Uint8Array[], me: Uint8Array): string[] {
  const others = all.filter((k) => Buffer.compare(Buffer.from(k), Buffer.from(me)) !== 0).map((k) => chain.address(k));
  return sortAddresses(others, chain.shape.ss58Prefix);
}

function multisigShape(shape: RuntimeShape): NonNullable<RuntimeShape['multisig']> {
  if (!shape.multisig) throw new Error(`this chain (${shape.specName}) has no multisig pallet`);
  return shape.multisig;
}

function pallet(chain: ChainClient): Record<string, TxFn> {
  return (chain.api.tx as unknown as Record<string, Record<string, TxFn>>)[multisigShape(chain.shape).pallet]!;
}

/** 0x-hex blake2-256 of the call: what the multisig pallet keys the operation by. */
export function callHash(call: Call): string {
  return call.hash.toHex();
}

/** The weight limit in the runtime's shape: a u64, or Weight { refTime, proofSize }. */
function weightLimit(shape: RuntimeShape, refTime: bigint, proofSize: bigint): unknown {
  return multisigShape(shape).weight === 'u64' ? refTime : { refTime, proofSize };
}

/**
 * as_multi in the shape of the connected runtime. Calls are never stored on chain
 * (`store_call = false` where it exists): the operation executes when a signatory supplies
 * the full call, which the gateway does after the consumer's approval on every runtime.
 */
function asMulti(chain: ChainClient, others: string[], timepoint: Timepoint | null, call: Call, refTime: bigint, proofSize: bigint): Tx {
  const ms = multisigShape(chain.shape);
  const weight = weightLimit(chain.shape, refTime, proofSize);
  // Old pallets take the call as WrapperKeepOpaque<Call>: its encoded bytes.
  if (ms.storeCall) return pallet(chain).asMulti!(2, others, timepoint, call.toHex(), false, weight);
  return pallet(chain).asMulti!(2, others, timepoint, call, weight);
}

/** The first approval (no timepoint), which opens the multisig operation for `call`. */
export function firstApproval(chain: ChainClient, others: string[], call: Call): Tx {
  return asMulti(chain, others, null, call, 0n, 0n);
}

/**
 * The approval that executes `call` (the threshold is met with it, or was met already by a
 * hash-only approval). Its weight limit is twice the call's own estimate.
 */
export async function executingApproval(chain: ChainClient, others: string[], timepoint: Timepoint, call: Call, multisig: string): Promise<Tx> {
  const info = await chain.api.tx(call).paymentInfo(multisig);
  const weight = info.weight as unknown as { refTime?: { toBigInt(): bigint }; proofSize?: { toBigInt(): bigint }; toBigInt?: () => bigint };
  const refTime = (weight.refTime?.toBigInt() ?? weight.toBigInt?.() ?? 1_000_000_000n) * 2n;
  const proofSize = (weight.proofSize?.toBigInt() ?? 100_000n) * 2n;
  return asMulti(chain, others, timepoint, call, refTime, proofSize);
}

/**
 * An approval by call hash only, as the peaq wallet sends it (approve_as_multi with a fixed
 * max_weight of 1e9). It executes nothing on runtimes without stored calls.
 */
export function hashOnlyApproval(chain: ChainClient, others: string[], timepoint: Timepoint | null, hash: string): Tx {
  return pallet(chain).approveAsMulti!(2, others, timepoint, hash, weightLimit(chain.shape, 1_000_000_000n, 100_000n));
}

/** The open operation for a call hash on a multisig, or undefined (never opened, or closed). */
export async function operation(chain: ChainClient, multisig: string, hash: string): Promise<Operation | undefined> {
  const [op] = await operations(chain, [[multisig, hash]]);
  return op;
}

type OptionOp = {
  isSome: boolean;
  unwrap(): { when: { height: { toNumber(): number }; index: { toNumber(): number } }; approvals: { toU8a(): Uint8Array }[] };
};

/**
 * Several operations, in the order asked. One storage read each: a batched read
 * (state_queryStorageAt) lets @polkadot/rpc-core fill a key the node reports without a value
 * from its cache, which shows a closed operation as still open.
 */
export async function operations(chain: ChainClient, keys: [multisig: string, hash: string][]): Promise<(Operation | undefined)[]> {
  if (!keys.length) return [];
  const query = (chain.api.query as unknown as Record<string, { multisigs(multisig: string, hash: string): Promise<OptionOp> }>)[multisigShape(chain.shape).pallet]!;
  const found = await Promise.all(keys.map(([multisig, hash]) => query.multisigs(multisig, hash)));
  return found.map((op) => {
    if (!op.isSome) return undefined;
    const m = op.unwrap();
    return {
      when: { height: m.when.height.toNumber(), index: m.when.index.toNumber() },
      approvals: m.approvals.map((a) => Buffer.from(a.toU8a()).toString('hex')),
    };
  });
}

/** Every operation open on a multisig, with its call hash. */
export async function openOperations(chain: ChainClient, multisig: string): Promise<{ callHash: string; op: Operation }[]> {
  const query = (chain.api.query as unknown as Record<string, { multisigs: { entries(ms: string): Promise<[{ args: { toHex(): string }[] }, OptionOp][]> } }>)[multisigShape(chain.shape).pallet]!;
  const entries = await query.multisigs.entries(multisig);
  return entries.filter(([, op]) => op.isSome).map(([key, op]) => {
    const m = op.unwrap();
    return {
      callHash: key.args[1]!.toHex(),
      op: { when: { height: m.when.height.toNumber(), index: m.when.index.toNumber() }, approvals: m.approvals.map((a) => Buffer.from(a.toU8a()).toString('hex')) },
    };
  });
}
