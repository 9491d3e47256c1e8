import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { ED25519_TORSION_SUBGROUP } from '@noble/curves/ed25519';
import { BoundedMemo } from '../bounded-memo.ts';

// DER prefixes that turn raw ed25519 key bytes into the PKCS#8 / SPKI forms node:crypto reads.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** A private key object from a 32-byte ed25519 seed (node:crypto signs ~200x faster than tweetnacl here). */
export function ed25519PrivateKey(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw new Error(`an ed25519 seed is 32 bytes, got ${seed.length}`);
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

export function ed25519PublicKey(publicKey: Uint8Array): KeyObject {
  if (publicKey.length !== 32) throw new Error(`an ed25519 public key is 32 bytes, got ${publicKey.length}`);
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
}

export function ed25519Sign(key: KeyObject, message: Uint8Array): Uint8Array {
  return sign(null, message, key);
}

// The y of each of the eight points of small order (the identity among them), as the 32
// little-endian bytes of a key without x's sign bit: the points' own encodings, and y + p for
// the two below 19 (y = 0 and y = 1), the only ones with a second encoding.
const P = 2n ** 255n - 19n;
const littleEndian = (n: bigint): string => Buffer.from(Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 255n))).toString('hex');
const SMALL_ORDER_Y = new Set([
  ...ED25519_TORSION_SUBGROUP.map((hex) => {
    const bytes = Buffer.from(hex, 'hex');
    bytes[31]! &= 0x7f;
    return bytes.toString('hex');
  }),
  littleEndian(P), littleEndian(P + 1n),
]);

/**
 * Whether a public key encodes a point of small order. node:crypto (OpenSSL) verifies against
 * such a key, and for it a signature R = s·B ‖ s made with no secret verifies for any message
 * (for the identity always, for the others for one message in a few): anyone could sign as that
 * "consumer". (A key that is no point at all verifies nothing in OpenSSL.)
 */
function forgeable(publicKey: Uint8Array): boolean {
  const y = Buffer.from(publicKey);
  y[31]! &= 0x7f;
  return SMALL_ORDER_Y.has(y.toString('hex'));
}

// The keys that sign most often (the gateway's, for a wallet; recent consumers', for the
// gateway) keep their key object, or null for a key refused: making one is about a tenth of a
// verification.
const publicKeys = new BoundedMemo<string, KeyObject | null>(256);

export function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  try {
    const hex = Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength).toString('hex');
    let key = publicKeys.get(hex);
    if (key === undefined) {
      key = forgeable(publicKey) ? null : ed25519PublicKey(publicKey);
      publicKeys.set(hex, key);
    }
    return key !== null && verify(null, message, key, signature);
  } catch {
    return false;
  }
}
