import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { u8aWrapBytes } from '@polkadot/util';
import { cryptoWaitReady, sr25519PairFromSeed, sr25519Sign } from '@polkadot/util-crypto';
import nacl from 'tweetnacl';
import { loadOrCreateGatewayKey } from '../../../src/crypto/gateway-key.ts';
import { verifySignature } from '../../../src/crypto/signatures.ts';
import { DOMAIN, open, seal, signingBytes } from '../../../src/p2p/envelope.ts';
import { codecFor } from '../../../src/proto/codec.ts';

describe('gateway key and signed envelopes', () => {
  it('creates the key once with mode 0600 and keeps it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cgw-key-'));
    try {
      const file = join(dir, 'sub', 'gateway.key');
      const first = await loadOrCreateGatewayKey(file);
      assert.equal(first.created, true);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const again = await loadOrCreateGatewayKey(file);
      assert.equal(again.created, false);
      assert.equal(again.key.peerId, first.key.peerId);
      assert.match(first.key.peerId, /^12D3KooW/);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('signs with node:crypto exactly as tweetnacl does, so browser wallets verify with tweetnacl', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cgw-key-'));
    try {
      const { key } = await loadOrCreateGatewayKey(join(dir, 'k'));
      const message = new TextEncoder().encode('receipt bytes');
      const ours = key.sign(message);
      assert.ok(nacl.sign.detached.verify(message, ours, key.publicKey));
      const naclKey = nacl.sign.keyPair.fromSeed(key.libp2pKey.raw.subarray(0, 32));
      assert.deepEqual(Buffer.from(nacl.sign.detached(message, naclKey.secretKey)), Buffer.from(ours));
      const envelope = await seal({ publicKey: key.publicKey, scheme: 'ED25519', sign: key.sign }, { domain: DOMAIN.event, payload: message, topic: 't', seq: 3 });
      const decoded = codecFor('cgw.SignedEnvelope').decode(envelope);
      assert.ok(nacl.sign.detached.verify(signingBytes(decoded), decoded.signature, key.publicKey));
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('binds the signature to domain, topic and sequence', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cgw-key-'));
    try {
      const { key } = await loadOrCreateGatewayKey(join(dir, 'k'));
      const signer = { publicKey: key.publicKey, scheme: 'ED25519' as const, sign: key.sign };
      const envelope = await seal(signer, { domain: DOMAIN.event, payload: new Uint8Array([1]), topic: 'a', seq: 1 });
      const codec = codecFor('cgw.SignedEnvelope');
      const e = codec.decode(envelope);
      await open(envelope, { domain: DOMAIN.event, signer: key.publicKey });
      for (const forged of [{ ...e, seq: 2 }, { ...e, topic: 'b' }, { ...e, domain: DOMAIN.response }]) {
        await assert.rejects(open(codec.encode(forged), { domain: forged.domain as typeof DOMAIN.event, signer: key.publicKey }), /signature/);
      }
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('accepts sr25519 signatures over the bare message and over polkadot-js <Bytes> wrapping', async () => {
    await cryptoWaitReady();
    const pair = sr25519PairFromSeed(new Uint8Array(32).fill(9));
    const message = new TextEncoder().encode('request');
    assert.ok(await verifySignature('SR25519', pair.publicKey, message, sr25519Sign(message, pair)));
    assert.ok(await verifySignature('SR25519', pair.publicKey, message, sr25519Sign(u8aWrapBytes(message), pair)));
    assert.ok(!(await verifySignature('SR25519', pair.publicKey, new TextEncoder().encode('other'), sr25519Sign(message, pair))));
    assert.ok(!(await verifySignature('ED25519', pair.publicKey, message, sr25519Sign(message, pair))));
    // The form that verified last is tried first; a wallet that changes form still verifies, a wrong signature still does not.
    assert.ok(await verifySignature('SR25519', pair.publicKey, message, sr25519Sign(message, pair)), 'bare again after wrapped');
    assert.ok(await verifySignature('SR25519', pair.publicKey, message, sr25519Sign(u8aWrapBytes(message), pair)));
    assert.ok(!(await verifySignature('SR25519', pair.publicKey, message, sr25519Sign(u8aWrapBytes(new TextEncoder().encode('other')), pair))));
  });

  it('accepts ed25519 over the <Bytes> wrapping too, and a message already wrapped as it is', async () => {
    const pair = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(4));
    const message = new TextEncoder().encode('request');
    const signed = (m: Uint8Array) => nacl.sign.detached(m, pair.secretKey);
    assert.ok(await verifySignature('ED25519', pair.publicKey, message, signed(u8aWrapBytes(message))));
    const already = u8aWrapBytes(message);
    assert.ok(await verifySignature('ED25519', pair.publicKey, already, signed(already)));
    assert.ok(!(await verifySignature('ED25519', pair.publicKey, message, signed(u8aWrapBytes(new TextEncoder().encode('other'))))));
    // polkadot-js leaves an Ethereum-style message unwrapped: its wrapping is not accepted either.
    const ethereum = new TextEncoder().encode('\x19Ethereum Signed Message:\n4test');
    const wrappedByHand = Buffer.concat([Buffer.from('<Bytes>'), ethereum, Buffer.from('</Bytes>')]);
    assert.ok(!(await verifySignature('ED25519', pair.publicKey, ethereum, signed(wrappedByHand))));
  });
});
