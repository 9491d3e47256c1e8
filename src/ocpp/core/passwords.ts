import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

/**
 * Basic-auth passwords are bytes (OCPP 1.6 security: 16-20 bytes, possibly binary), so
 * they are hashed and compared as bytes. Stored form: `scrypt$<salt hex>$<hash hex>`.
 */
const PREFIX = 'scrypt';
const KEY_LENGTH = 32;
// N=2^14: about 20 ms per check here, done once per connection attempt.
const COST = { N: 1 << 14, r: 8, p: 1 };

export function hashPassword(password: Uint8Array, salt: Uint8Array = randomBytes(16)): string {
  const hash = scryptSync(password, salt, KEY_LENGTH, COST);
  return `${PREFIX}$${Buffer.from(salt).toString('hex')}$${hash.toString('hex')}`;
}

export function isPasswordHash(value: string): boolean {
  return /^scrypt\$[0-9a-f]{2,}\$[0-9a-f]{64}$/.test(value);
}

/** Checks a password against its stored hash on libuv's thread pool: the event loop (every station's messages) never waits for scrypt. */
export function verifyPasswordAsync(password: Uint8Array, stored: string): Promise<boolean> {
  const [prefix, saltHex, hashHex] = stored.split('$');
  if (prefix !== PREFIX || !saltHex || !hashHex) return Promise.resolve(false);
  const expected = Buffer.from(hashHex, 'hex');
  return new Promise((resolve, reject) => {
    scrypt(password, Buffer.from(saltHex, 'hex'), expected.length, COST, (err, actual) => {
      if (err) reject(err);
      else resolve(timingSafeEqual(actual, expected));
    });
  });
}

/**
 * The hashes a configured password accepts. A key written as 32-40 hex digits (how 1.6
 * AuthorizationKey is usually provisioned) is accepted both as that text and as the bytes
 * it decodes to, since stations differ in which they send.
 */
export function hashesForConfiguredPassword(configured: string): string[] {
  if (isPasswordHash(configured)) return [configured];
  const hashes = [hashPassword(Buffer.from(configured, 'utf8'))];
  if (/^([0-9a-fA-F]{2}){16,20}$/.test(configured)) hashes.push(hashPassword(Buffer.from(configured, 'hex')));
  return hashes;
}

/**
 * Reads `Authorization: Basic ...` into the user name and the password BYTES. The
 * password is everything after the first ':' (2.0.1 identities never contain ':').
 */
export function parseBasicAuth(header: string | undefined): { user: string; password: Buffer } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const raw = Buffer.from(m[1]!, 'base64');
  const colon = raw.indexOf(0x3a);
  if (colon < 0) return undefined;
  return { user: raw.subarray(0, colon).toString('utf8'), password: raw.subarray(colon + 1) };
}
