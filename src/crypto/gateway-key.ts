import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import type { Ed25519PrivateKey } from '@libp2p/interface';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import type { KeyObject } from 'node:crypto';
import { ed25519PrivateKey, ed25519Sign } from './ed25519.ts';

/**
 * The gateway's one identity: an ed25519 key that is its libp2p peer id AND the key that
 * signs every event and response it sends. Stored in libp2p's protobuf key format.
 */
export interface GatewayKey {
  /** For libp2p (`privateKey` option). */
  libp2pKey: Ed25519PrivateKey;
  peerId: string;
  publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

export function gatewayKeyFrom(libp2pKey: Ed25519PrivateKey): GatewayKey {
  // libp2p's raw ed25519 private key is seed (32) ‖ public key (32).
  const signing: KeyObject = ed25519PrivateKey(libp2pKey.raw.subarray(0, 32));
  return {
    libp2pKey: withCachedSigning(libp2pKey, signing),
    peerId: peerIdFromPrivateKey(libp2pKey).toString(),
    publicKey: libp2pKey.publicKey.raw,
    sign: (message) => ed25519Sign(signing, message),
  };
}

/**
 * The same key for libp2p, signing with one prepared key object: @libp2p/crypto imports the key
 * from JWK for every signature, which was 8% of the gateway's CPU under a stream of status
 * changes (each published gossipsub message is signed). ed25519 signatures are deterministic,
 * so every signature is the one libp2p would make.
 */
function withCachedSigning(key: Ed25519PrivateKey, signing: KeyObject): Ed25519PrivateKey {
  return {
    type: 'Ed25519',
    publicKey: key.publicKey,
    raw: key.raw,
    equals: (other?: unknown) => key.equals(other),
    sign: (data) => ed25519Sign(signing, data instanceof Uint8Array ? data : data.subarray()),
  };
}

/** Reads the key file, or creates it (mode 0600) on first start. */
export async function loadOrCreateGatewayKey(path: string): Promise<{ key: GatewayKey; created: boolean }> {
  if (existsSync(path)) {
    const mode = statSync(path).mode & 0o777;
    if (mode & 0o077) throw new Error(`the gateway key ${path} is readable by others (mode ${mode.toString(8)}); run chmod 600 ${path}`);
    const key = privateKeyFromProtobuf(readFileSync(path));
    if (key.type !== 'Ed25519') throw new Error(`the gateway key ${path} is a ${key.type} key; an Ed25519 key is needed`);
    return { key: gatewayKeyFrom(key), created: false };
  }
  mkdirSync(dirname(path), { recursive: true });
  const key = await generateKeyPair('Ed25519');
  writeFileSync(path, privateKeyToProtobuf(key), { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return { key: gatewayKeyFrom(key), created: true };
}
