import { ss58PublicKey } from './ss58.ts';

/** A consumer's public key as wallets send it (SS58 address or 0x hex) and as 32 canonical bytes. */
export interface ConsumerKey {
  text: string;
  bytes: Uint8Array;
  hex: string;
}

/**
 * Reads a peaq/Substrate public key: 32 bytes as hex (with or without 0x) or an SS58
 * address of any network prefix. Throws with a clear message for anything else.
 */
export function parseConsumerKey(text: string): ConsumerKey {
  const trimmed = text.trim();
  // Only 32-byte keys are consumers (an SS58 address may also hold a 33-byte ecdsa key).
  const bytes = /^(0x)?[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed.replace(/^0x/, ''), 'hex') : ss58PublicKey(trimmed);
  if (!bytes) throw new Error(`consumer public key is neither 32 bytes of hex nor an SS58 address: "${text.slice(0, 80)}"`);
  return { text: trimmed, bytes, hex: Buffer.from(bytes).toString('hex') };
}
