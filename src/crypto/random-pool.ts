import { randomFillSync } from 'node:crypto';

// Every signed event carries a fresh 16-byte nonce. Asking the CSPRNG for 16 bytes at a time
// cost a visible share of a status change's CPU; the same bytes drawn 4 KiB at a time do not.
const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let offset = POOL_BYTES;

/** `size` fresh random bytes (a copy: callers may keep them), from a pool refilled by the CSPRNG. */
export function randomBytesPooled(size: number): Uint8Array {
  if (size > POOL_BYTES) throw new RangeError(`at most ${POOL_BYTES} bytes at a time`);
  if (offset + size > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const out = Uint8Array.prototype.slice.call(pool, offset, offset + size);
  offset += size;
  return out;
}
