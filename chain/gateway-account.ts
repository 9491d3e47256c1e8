import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';

/**
 * The gateway's chain account is its own key: the ed25519 seed of the gateway key (the
 * libp2p identity that signs events) used as an ed25519 Substrate account. One key, one
 * identity: the address is the SS58 form of the gateway's public key.
 */
export async function gatewayAccount(seed: Uint8Array, ss58Prefix = 42): Promise<KeyringPair> {
  await cryptoWaitReady();
  return new Keyring({ type: 'ed25519', ss58Format: ss58Prefix }).addFromSeed(seed);
}
