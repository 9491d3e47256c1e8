import { createHash } from 'node:crypto';

// RFC 4648 base32: upper case letters and digits 2-7, safe in any idTag field.
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** 1.6 idTag is at most 20 characters; 2.0.1 idToken allows 36, so one form serves both. */
export const ID_TAG_LENGTH = 20;

/**
 * The idTag a consumer's key gets on every station: "C" followed by the first 95 bits of
 * SHA-256("charging-gateway idTag v1" || key) in base32. Deterministic, so a consumer is
 * the same token everywhere and a restart derives the same one.
 */
export function idTagForKey(keyBytes: Uint8Array): string {
  const digest = createHash('sha256').update('charging-gateway idTag v1').update(keyBytes).digest();
  let bits = 0;
  let value = 0;
  let out = 'C';
  for (const byte of digest) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < ID_TAG_LENGTH) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length === ID_TAG_LENGTH) break;
  }
  return out;
}
