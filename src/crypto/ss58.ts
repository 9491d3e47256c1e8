import { hash } from 'node:crypto';

// SS58 addresses (Substrate's public-key form) read with node:crypto alone: polkadot-js's
// util-crypto, which reads them too, costs the node about half a second of module loading at
// start, and a start needs nothing else from it (sr25519 loads on the first sr25519 signature).
//
// The format (public): base58 (Bitcoin's alphabet) of prefix ‖ key ‖ checksum. The prefix is
// the network's number in one byte (0-63) or two (64-16383, first byte's 0x40 bit set); the
// checksum is the first 2 bytes of BLAKE2b-512("SS58PRE" ‖ prefix ‖ key) for a 32-byte key.

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const DIGIT = new Map([...ALPHABET].map((c, i) => [c, i]));
const CONTEXT = Buffer.from('SS58PRE');
const MAX_ADDRESS_LENGTH = 64;

/** The bytes of a base58 string, or undefined when a character is not base58. */
export function base58Decode(text: string): Uint8Array | undefined {
  // Big-endian base-256 digits, built up one base-58 digit at a time.
  const bytes: number[] = [];
  for (const c of text) {
    let carry = DIGIT.get(c);
    if (carry === undefined) return undefined;
    for (let i = bytes.length - 1; i >= 0; i--) {
      carry += bytes[i]! * 58;
      bytes[i] = carry & 0xff;
      carry >>= 8;
    }
    for (; carry > 0; carry >>= 8) bytes.unshift(carry & 0xff);
  }
  // Each leading '1' stands for a leading zero byte.
  let zeros = 0;
  while (text[zeros] === '1') zeros++;
  return Uint8Array.from([...new Array<number>(zeros).fill(0), ...bytes]);
}

/** The 32-byte public key in an SS58 address of any network, or undefined when it holds none. */
export function ss58PublicKey(address: string): Uint8Array | undefined {
  // Such an address is 47-49 characters; decoding is quadratic in the length, so a long string
  // (from anyone on the network) is refused before it.
  if (address.length > MAX_ADDRESS_LENGTH) return undefined;
  const decoded = base58Decode(address);
  if (!decoded?.length) return undefined;
  const first = decoded[0]!;
  // 0x80 is never set in a prefix; 46 and 47 are reserved.
  if (first & 0x80 || first === 46 || first === 47) return undefined;
  const prefixLength = first & 0x40 ? 2 : 1;
  if (decoded.length !== prefixLength + 32 + 2) return undefined;
  const body = decoded.subarray(0, prefixLength + 32);
  const checksum = hash('blake2b512', Buffer.concat([CONTEXT, body]), 'buffer');
  if (checksum[0] !== decoded[prefixLength + 32] || checksum[1] !== decoded[prefixLength + 33]) return undefined;
  return decoded.slice(prefixLength, prefixLength + 32);
}
