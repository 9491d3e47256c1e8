// Seen (review): node:crypto verifies ed25519 signatures against a public key of small order, and
// for the identity a signature R = s·B, made with no secret, verified for any message: anyone
// could sign requests as that "consumer". Keys of small order, in any encoding, are refused now.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { ED25519_TORSION_SUBGROUP, ed25519 } from '@noble/curves/ed25519';
import { verifySignature } from '../../../src/crypto/signatures.ts';

const le32 = (n: bigint): Uint8Array => Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 255n));

/** R = s·B ‖ s: what verifies under the identity key for any message, without a secret key. */
function forgery(s: bigint): Uint8Array {
  const signature = new Uint8Array(64);
  signature.set(ed25519.ExtendedPoint.BASE.multiply(s).toRawBytes(), 0);
  signature.set(le32(s), 32);
  return signature;
}

const p = 2n ** 255n - 19n;
const withSignBit = (key: Uint8Array): Uint8Array => Uint8Array.from(key, (b, i) => (i === 31 ? b ^ 0x80 : b));
// The eight points (both signs of x), and the second encodings of y = 0 and y = 1 (y + p).
const SMALL_ORDER_KEYS = [...ED25519_TORSION_SUBGROUP.map((hex) => Uint8Array.from(Buffer.from(hex, 'hex'))), le32(p), le32(p + 1n)]
  .flatMap((key) => [key, withSignBit(key)]);

describe('ed25519 keys of small order', () => {
  it('never verify a signature made without a secret key, for any message', async () => {
    for (const [k, key] of SMALL_ORDER_KEYS.entries()) {
      for (let i = 0; i < 16; i++) {
        const message = randomBytes(40);
        const signature = forgery(BigInt(1 + i * 7919));
        assert.equal(await verifySignature('ED25519', key, message, signature), false, `small-order key ${k} (${Buffer.from(key).toString('hex')}), forgery ${i}`);
      }
    }
  });

  it('leave ordinary keys working', async () => {
    for (let i = 0; i < 8; i++) {
      const secret = ed25519.utils.randomPrivateKey();
      const message = randomBytes(60);
      const signature = ed25519.sign(message, secret);
      const key = ed25519.getPublicKey(secret);
      assert.equal(await verifySignature('ED25519', key, message, signature), true);
      assert.equal(await verifySignature('ED25519', key, randomBytes(60), signature), false);
    }
  });
});
