import { createPublicKey, randomBytes } from 'node:crypto';
import { DEV_PHRASE, Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady, encodeAddress, keyExtractSuri, mnemonicValidate, sr25519PairFromSeed, sr25519Sign } from '@polkadot/util-crypto';
import { ed25519PrivateKey, ed25519Sign } from '../crypto/ed25519.ts';
import type { Signer } from '../p2p/envelope.ts';

/** A wallet's key: signs requests, and names the consumer by its SS58 address. */
export interface ConsumerSigner extends Signer {
  /** SS58 address (generic Substrate prefix 42 unless another is given). */
  address: string;
  /** 0x-hex of the public key. */
  hex: string;
}

/** An sr25519 key (the Substrate default) from a 32-byte seed; a random one without. */
export async function sr25519Signer(seed: Uint8Array = randomBytes(32), ss58Prefix = 42): Promise<ConsumerSigner> {
  await cryptoWaitReady();
  const pair = sr25519PairFromSeed(seed);
  return {
    publicKey: pair.publicKey,
    scheme: 'SR25519',
    sign: (message) => sr25519Sign(message, pair),
    address: encodeAddress(pair.publicKey, ss58Prefix),
    hex: u8aToHex(pair.publicKey),
  };
}

/** An ed25519 key from a 32-byte seed; a random one without. */
export function ed25519Signer(seed: Uint8Array = randomBytes(32), ss58Prefix = 42): ConsumerSigner {
  const key = ed25519PrivateKey(seed);
  const publicKey = new Uint8Array(Buffer.from(createPublicKey(key).export({ format: 'jwk' }).x ?? '', 'base64url'));
  return {
    publicKey,
    scheme: 'ED25519',
    sign: (message) => ed25519Sign(key, message),
    address: encodeAddress(publicKey, ss58Prefix),
    hex: u8aToHex(publicKey),
  };
}

/** A wallet key from a @polkadot/keyring pair (e.g. //Alice on a dev chain). */
export function pairSigner(pair: { publicKey: Uint8Array; type: string; sign(message: Uint8Array): Uint8Array }, ss58Prefix = 42): ConsumerSigner {
  if (pair.type !== 'sr25519' && pair.type !== 'ed25519') throw new Error(`a ${pair.type} key cannot sign requests (sr25519 or ed25519 only)`);
  return {
    publicKey: pair.publicKey,
    scheme: pair.type === 'sr25519' ? 'SR25519' : 'ED25519',
    sign: (message) => pair.sign(message),
    address: encodeAddress(pair.publicKey, ss58Prefix),
    hex: u8aToHex(pair.publicKey),
  };
}

/**
 * A wallet's key pair from any of the forms Substrate tools accept: a SURI such as //Alice
 * (derivation paths included), a 12/24-word mnemonic, or a 32-byte hex seed (0x…). The same
 * secret gives the same key in the consumer CLI and in the chain scripts.
 */
export async function pairFromSecret(secret: string, scheme: 'sr25519' | 'ed25519' = 'sr25519', ss58Prefix = 42): Promise<KeyringPair> {
  await cryptoWaitReady();
  const text = secret.trim();
  if (!text) throw new Error('the key is empty: give a SURI (//Alice), a mnemonic or a 32-byte hex seed');
  if (/^(0x)?[0-9a-fA-F]+$/.test(text) && !text.startsWith('//')) {
    const hex = text.replace(/^0x/, '');
    if (hex.length !== 64) throw new Error(`a hex seed must be 32 bytes (64 hex digits); this one has ${hex.length} digits`);
    return new Keyring({ type: scheme, ss58Format: ss58Prefix }).addFromSeed(Buffer.from(hex, 'hex'));
  }
  // A typo must not become another key (and another multisig): the phrase before any
  // derivation path is a valid mnemonic, or empty (the dev phrase, as in //Alice).
  const { phrase } = keyExtractSuri(text.startsWith('/') ? `${DEV_PHRASE}${text}` : text);
  if (phrase !== DEV_PHRASE && !mnemonicValidate(phrase)) {
    throw new Error('not a key: give a SURI (//Alice), a valid mnemonic (12 or 24 words) or a 32-byte hex seed');
  }
  try {
    return new Keyring({ type: scheme, ss58Format: ss58Prefix }).addFromUri(text);
  } catch (err) {
    throw new Error(`not a key: give a SURI (//Alice), a mnemonic or a 32-byte hex seed (${(err as Error).message})`);
  }
}

/** A request signer from a secret in any form pairFromSecret reads. */
export async function signerFromSecret(secret: string, scheme: 'sr25519' | 'ed25519' = 'sr25519'): Promise<ConsumerSigner> {
  return pairSigner(await pairFromSecret(secret, scheme));
}
