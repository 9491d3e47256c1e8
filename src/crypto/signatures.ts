import { u8aWrapBytes } from '@polkadot/util';
import { cryptoWaitReady, sr25519Verify } from '@polkadot/util-crypto';
import { ed25519Verify } from './ed25519.ts';

export type Scheme = 'ED25519' | 'SR25519';

let ready: Promise<boolean> | undefined;

/** sr25519 runs in WebAssembly: load it once before the first verification. */
export function signaturesReady(): Promise<boolean> {
  ready ??= cryptoWaitReady();
  return ready;
}

/**
 * Verifies a consumer's signature. Wallets built on polkadot-js sign raw bytes wrapped as
 * `<Bytes>…</Bytes>` (signRaw); both the bare and the wrapped message are accepted.
 */
export async function verifySignature(scheme: Scheme, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  const verifies = scheme === 'ED25519'
    ? (m: Uint8Array) => ed25519Verify(publicKey, m, signature)
    : (m: Uint8Array) => {
      try {
        return sr25519Verify(m, signature, publicKey);
      } catch {
        return false;
      }
    };
  if (scheme !== 'ED25519') await signaturesReady();
  // The wrapped form is made only when the bare message does not verify.
  return verifies(message) || verifies(u8aWrapBytes(message));
}
