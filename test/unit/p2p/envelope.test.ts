import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { u8aWrapBytes } from '@polkadot/util';
import { cryptoWaitReady, sr25519PairFromSeed, sr25519Sign } from '@polkadot/util-crypto';
import nacl from 'tweetnacl';
import { RistrettoPoint, ed25519 } from '@noble/curves/ed25519';
import { sr25519Checker } from '../../../src/crypto/sr25519.ts';
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

  // Seen (review): a request "signed" under the identity key with R = s·B and s, made with no
  // secret key, was accepted: for ed25519 always, for sr25519 once the WebAssembly worker was up.
  it('refuses requests signed under the identity key without a secret key, whichever scheme and wherever checked', async () => {
    const le32 = (n: bigint): Uint8Array => Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 255n));
    const s = 987654321n;
    const forgers = [
      { publicKey: Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 1 : 0)), scheme: 'ED25519' as const, sign: () => new Uint8Array([...ed25519.ExtendedPoint.BASE.multiply(s).toRawBytes(), ...le32(s)]) },
      { publicKey: new Uint8Array(32), scheme: 'SR25519' as const, sign: () => {
        const signature = new Uint8Array([...RistrettoPoint.BASE.multiply(s).toRawBytes(), ...le32(s)]);
        signature[63]! |= 0x80;
        return signature;
      } },
    ];
    const attempt = async (forger: (typeof forgers)[number]): Promise<string> => {
      const request = await seal(forger, { domain: DOMAIN.request, payload: new Uint8Array(40).fill(9), nonce: new Uint8Array(16).fill(forger.scheme.length) });
      return open(request, { domain: DOMAIN.request, maxSkewMs: 60_000 }).then(() => 'accepted', (err: Error) => err.message);
    };
    for (const forger of forgers) assert.match(await attempt(forger), /signature/i, `${forger.scheme}, sr25519 worker ${sr25519Checker.state}`);
    // A real sr25519 signature starts the worker.
    await cryptoWaitReady();
    const pair = sr25519PairFromSeed(new Uint8Array(32).fill(3));
    for (let i = 0; i < 200 && sr25519Checker.state !== 'ready'; i++) {
      assert.equal(await verifySignature('SR25519', pair.publicKey, new Uint8Array([i]), sr25519Sign(new Uint8Array([i]), pair)), true);
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(sr25519Checker.state, 'ready');
    for (const forger of forgers) assert.match(await attempt(forger), /signature/i, `${forger.scheme}, sr25519 worker ${sr25519Checker.state}`);
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
