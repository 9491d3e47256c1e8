// Call shapes read from runtime metadata, for runtimes the test chain cannot run: the current
// shape (pallet `multisig`, WeightV2, no store_call, transferAllowDeath) from the Substrate
// node's metadata shipped with @polkadot/types-support.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Metadata, TypeRegistry, expandMetadata } from '@polkadot/types';
import substrate from '@polkadot/types-support/metadata/static-substrate';
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
