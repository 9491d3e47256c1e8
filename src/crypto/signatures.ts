import { ed25519Verify } from './ed25519.ts';

export type Scheme = 'ED25519' | 'SR25519';

type Sr25519Verify = (message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array) => boolean;
let sr25519: Promise<Sr25519Verify> | undefined;

/**
 * sr25519 runs in polkadot-js's WebAssembly: loaded once, on the first sr25519 signature (the
 * module alone costs the node about half a second at start, and many nodes never see one).
 */
function sr25519Verifier(): Promise<Sr25519Verify> {
  sr25519 ??= import('@polkadot/util-crypto').then(async ({ cryptoWaitReady, sr25519Verify }) => {
    await cryptoWaitReady();
    return sr25519Verify;
  });
  return sr25519;
}

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

/**
 * Verifies a consumer's signature. Wallets built on polkadot-js sign raw bytes wrapped as
 * `<Bytes>…</Bytes>` (signRaw); both the bare and the wrapped message are accepted.
 */
export async function verifySignature(scheme: Scheme, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  let verifies: (m: Uint8Array) => boolean;
  if (scheme === 'ED25519') {
    verifies = (m) => ed25519Verify(publicKey, m, signature);
  } else {
    const sr25519Verify = await sr25519Verifier();
    verifies = (m) => {
      try {
        return sr25519Verify(m, signature, publicKey);
      } catch {
        return false;
      }
    };
  }
  // The wrapped form is made only when the bare message does not verify.
  return verifies(message) || verifies(wrapped(message));
}
