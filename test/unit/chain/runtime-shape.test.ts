// Call shapes read from runtime metadata, for runtimes the test chain cannot run: the current
// shape (pallet `multisig`, WeightV2, no store_call, transferAllowDeath) from the Substrate
// node's metadata shipped with @polkadot/types-support.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Metadata, TypeRegistry, expandMetadata } from '@polkadot/types';
import substrate from '@polkadot/types-support/metadata/static-substrate';
import type { Call } from '@polkadot/types/interfaces';
import { encodeAddress } from '@polkadot/util-crypto';
import type { ChainClient } from '../../../chain/client.ts';
import { callHash, firstApproval, hashOnlyApproval } from '../../../chain/multisig.ts';
import { payoutCall } from '../../../chain/payouts.ts';
import { detectShape, type MetadataView } from '../../../chain/runtime.ts';
import { formatAmount, parseAmount } from '../../../src/domain/amounts.ts';

function view(metadataHex: string, specName: string): MetadataView {
  const registry = new TypeRegistry();
  const metadata = new Metadata(registry, metadataHex as `0x${string}`);
  registry.setMetadata(metadata);
  const decorated = expandMetadata(registry, metadata);
  return { tx: decorated.tx as unknown as MetadataView['tx'], consts: decorated.consts as unknown as MetadataView['consts'], registry, specName };
}

describe('runtime shapes from metadata', () => {
  it('reads the current shape: pallet multisig, WeightV2, no store_call, transferAllowDeath', () => {
    const shape = detectShape(view(substrate, 'node'));
    assert.deepEqual(shape.multisig, { pallet: 'multisig', storeCall: false, weight: 'v2' });
    assert.equal(shape.payoutTransfer, 'transferAllowDeath');
    assert.equal(shape.transfer, 'transferKeepAlive');
    assert.equal(shape.batchAll, true);
    assert.equal(shape.peaqDid, false);
    assert.ok(shape.existentialDeposit > 0n);
  });
});

/**
 * The calls the gateway builds, against a runtime the test chain cannot run: the metadata's own
 * call constructors stand in for api.tx (each answers { method: Call }, as a submittable does).
 */
function offlineChain(metadataHex: string, specName: string): ChainClient {
  const v = view(metadataHex, specName);
  const shape = detectShape(v);
  const tx = Object.fromEntries(Object.entries(v.tx as unknown as Record<string, Record<string, (...a: unknown[]) => unknown>>).map(([section, calls]) => [
    section, Object.fromEntries(Object.entries(calls).map(([name, fn]) => [name, (...args: unknown[]) => ({ method: fn(...args) })])),
  ]));
  return { api: { tx, registry: v.registry }, shape, address: (k: Uint8Array) => encodeAddress(k, shape.ss58Prefix) } as unknown as ChainClient;
}

describe('calls built for the current shape (WeightV2, no store_call, transferAllowDeath)', () => {
  const chain = offlineChain(substrate, 'node');
  const consumer = encodeAddress(new Uint8Array(32).fill(1), 42);
  const gatewayAccount = encodeAddress(new Uint8Array(32).fill(2), 42);

  it('pays out with batchAll(transferAllowDeath, remark naming the session): two sessions with one amount never share a call', () => {
    const spec = { kind: 'spent' as const, seq: 0, to: gatewayAccount, amount: 1_000_000n };
    const a = payoutCall(chain, { ...spec, sessionId: 'session-a' });
    const b = payoutCall(chain, { ...spec, sessionId: 'session-b' });
    assert.equal(`${a.section}.${a.method}`, 'utility.batchAll');
    const [transfer, remark] = a.args[0] as unknown as Call[];
    assert.equal(`${transfer!.section}.${transfer!.method}`, 'balances.transferAllowDeath');
    assert.equal((transfer!.args[1] as unknown as { toBigInt(): bigint }).toBigInt(), 1_000_000n);
    assert.equal(`${remark!.section}.${remark!.method}`, 'system.remark');
    assert.notEqual(callHash(a), callHash(b));
  });

  it('approves with as_multi taking the call itself and a Weight { refTime, proofSize }; the peaq wallet\'s hash-only approval in the same shape', () => {
    const call = payoutCall(chain, { sessionId: 's', kind: 'refund', seq: 0, to: consumer, amount: 5n });
    const first = firstApproval(chain, [consumer], call).method;
    assert.equal(`${first.section}.${first.method}`, 'multisig.asMulti');
    assert.deepEqual(first.meta.args.map((a) => a.name.toString()), ['threshold', 'otherSignatories', 'maybeTimepoint', 'call', 'maxWeight']);
    assert.equal((first.args[3] as unknown as Call).hash.toHex(), callHash(call), 'the call itself, not its opaque bytes');
    const weight = first.args[4] as unknown as { refTime: { toBigInt(): bigint }; proofSize: { toBigInt(): bigint } };
    assert.deepEqual([weight.refTime.toBigInt(), weight.proofSize.toBigInt()], [0n, 0n]);
    const hashOnly = hashOnlyApproval(chain, [consumer], { height: 7, index: 1 }, callHash(call)).method;
    assert.equal(`${hashOnly.section}.${hashOnly.method}`, 'multisig.approveAsMulti');
    assert.equal((hashOnly.args[4] as unknown as { refTime: { toBigInt(): bigint } }).refTime.toBigInt(), 1_000_000_000n);
  });
});

describe('amounts as people write and read them', () => {
  it('reads whole tokens with decimals or the currency, and bare integers as the smallest unit', () => {
    assert.equal(parseAmount('1.5', 18, 'PEAQ'), 1_500_000_000_000_000_000n);
    assert.equal(parseAmount('2 PEAQ', 18, 'PEAQ'), 2_000_000_000_000_000_000n);
    assert.equal(parseAmount('2peaq', 18, 'PEAQ'), 2_000_000_000_000_000_000n);
    assert.equal(parseAmount('2000000000000000000', 18, 'PEAQ'), 2_000_000_000_000_000_000n);
    assert.throws(() => parseAmount('2 DOT', 18, 'PEAQ'), /not an amount/);
    assert.throws(() => parseAmount('0.0000000000000000001', 18, 'PEAQ'), /more than 18 decimals/);
    assert.throws(() => parseAmount('-1', 18, 'PEAQ'), /not an amount/);
  });

  it('writes amounts with decimals and the currency', () => {
    assert.equal(formatAmount(1_500_000_000_000_000_000n, 18, 'PEAQ'), '1.5 PEAQ');
    assert.equal(formatAmount(2_000_000_000_000_000_000n, 18, 'PEAQ'), '2 PEAQ');
    assert.equal(formatAmount(7n, 18, 'PEAQ'), '0.000000000000000007 PEAQ');
    assert.equal(formatAmount(0n, 12, 'ROC'), '0 ROC');
  });
});
