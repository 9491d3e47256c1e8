import { BoundedMemo } from '../bounded-memo.ts';
import { ed25519Verify } from './ed25519.ts';
import { sr25519Check } from './sr25519.ts';

export type Scheme = 'ED25519' | 'SR25519';

// polkadot-js's signRaw signs `<Bytes>` ‖ message ‖ `</Bytes>`; a message already so wrapped,
// or an Ethereum-style one, is signed as it is.
const WRAP_OPEN = Buffer.from('<Bytes>');
const WRAP_CLOSE = Buffer.from('</Bytes>');
const ETHEREUM = Buffer.from('\x19Ethereum Signed Message:\n');

function wrapped(message: Uint8Array): Uint8Array {
  const m = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  const already = (m.length >= WRAP_OPEN.length + WRAP_CLOSE.length
    && m.subarray(0, WRAP_OPEN.length).equals(WRAP_OPEN) && m.subarray(m.length - WRAP_CLOSE.length).equals(WRAP_CLOSE))
    || m.subarray(0, ETHEREUM.length).equals(ETHEREUM);
  return already ? message : Buffer.concat([WRAP_OPEN, m, WRAP_CLOSE]);
}

// Signers by the form of their last verified signature (true: wrapped), the most recent 4,096.
const wrappingSigners = new BoundedMemo<string, boolean>(4096);

/**
 * Verifies a consumer's signature. Wallets built on polkadot-js sign raw bytes wrapped as
 * `<Bytes>…</Bytes>` (signRaw); both the bare and the wrapped message are accepted.
 */
export async function verifySignature(scheme: Scheme, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  const verifies = scheme === 'ED25519'
    ? (m: Uint8Array): boolean | Promise<boolean> => ed25519Verify(publicKey, m, signature)
    : (m: Uint8Array): boolean | Promise<boolean> => sr25519Check(m, signature, publicKey);
  // A signer keeps to one form (our SDK signs bare, polkadot-js's signRaw wraps): the form that
  // verified last for this key is tried first, so each request costs one check (an sr25519 check
  // is milliseconds: BENCHMARKS.md).
  const key = Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength).toString('hex');
  const wrapsFirst = wrappingSigners.get(key) === true;
  const first = wrapsFirst ? wrapped(message) : message;
  if (await verifies(first)) return true;
  if (!(await verifies(wrapsFirst ? message : wrapped(message)))) return false;
  wrappingSigners.set(key, !wrapsFirst);
  return true;
}

