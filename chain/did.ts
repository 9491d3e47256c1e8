import { base58btc } from 'multiformats/bases/base58';
import type { KeyringPair } from '@polkadot/keyring/types';
import { codecFor } from '../src/proto/codec.ts';
import type { Document_Document as Document, Document_Metadata as Metadata } from '../src/proto/types.ts';
import type { ChainClient, Inclusion } from './client.ts';

const documentCodec = codecFor('document.Document');
/** The attribute name peaq wallets read the provider's document from. */
export const DID_ATTRIBUTE = 'v2';

export interface DidInput {
  publicKey: Uint8Array;
  /** The gateway's chain account (SS58), which is also its DID account. */
  address: string;
  /** Where wallets dial the gateway: exactly /ip4/<ip>/tcp/<port>/p2p/<peerId>. */
  p2p: string;
  /** Where payments go (the gateway account). */
  payment: string;
  stations: { identity: string; connectors: number; available: boolean }[];
  pricePerKwh: number;
  name: string;
  sign: (message: Uint8Array) => Uint8Array;
}

/** The p2p endpoint in the shape peaq wallets parse: an ip4 TCP multiaddr ending in /p2p/<peer id>. */
export function p2pEndpoint(multiaddrs: string[]): string | undefined {
  return multiaddrs.find((a) => /^\/ip4\/[\d.]+\/tcp\/\d+\/p2p\/[1-9A-HJ-NP-Za-km-z]+$/.test(a) && !a.startsWith('/ip4/0.0.0.0/'));
}

/**
 * The gateway's peaq DID document (document.Document): its ed25519 key as verification
 * method and authentication, the p2p multiaddr, the payment address and one metadata entry
 * per station. Signed by the same key over the document without its signature.
 */
export function buildDidDocument(i: DidInput): Document {
  const did = `did:peaq:${i.address}`;
  const keyHex = Buffer.from(i.publicKey).toString('hex');
  // Multibase of the multicodec ed25519-pub (0xed 0x01) key, as W3C Ed25519VerificationKey2020 has it.
  const multibase = base58btc.encode(Uint8Array.from([0xed, 0x01, ...i.publicKey]));
  const metadata = (s: DidInput['stations'][number]): Metadata => ({
    name: i.name, power: '', status: s.available ? 'AVAILABLE' : 'UNAVAILABLE', chargePointClientId: s.identity,
    connectorsCount: s.connectors, plugType: '', pricePerKWHR: i.pricePerKwh,
  });
  const unsigned: Document = {
    id: did,
    controller: did,
    verificationMethods: [{ id: keyHex, type: 'Ed25519VerificationKey2020', controller: did, publicKeyMultibase: multibase }],
    services: [
      { id: `${did}#p2p`, type: 'p2p', stringData: i.p2p },
      { id: `${did}#payment`, type: 'payment', stringData: i.payment },
      ...i.stations.map((s) => ({ id: `${did}#${s.identity}`, type: 'metadata' as const, metadata: metadata(s) })),
    ],
    authentications: [keyHex],
  };
  const signature = Buffer.from(i.sign(documentCodec.encode(unsigned))).toString('hex');
  return { ...unsigned, signature: { type: 'Ed25519VerificationKey2020', issuer: did, hash: signature } };
}

/** The attribute value: ASCII hex of the encoded document. */
export function encodeDidValue(doc: Document): string {
  return Buffer.from(documentCodec.encode(doc)).toString('hex');
}

export function decodeDidValue(value: string | Uint8Array): Document {
  const text = typeof value === 'string' ? value : Buffer.from(value).toString('utf8');
  return documentCodec.decode(Buffer.from(text.replace(/^0x/, ''), 'hex'));
}

type DidRpc = { readAttribute(account: string, name: string): Promise<{ isSome?: boolean; toJSON(): unknown } | null> };

/** A provider's document from chain (for wallets), or undefined when it has none. */
export async function readDidDocument(chain: ChainClient, account: string): Promise<Document | undefined> {
  const rpc = (chain.api.rpc as unknown as { peaqdid?: DidRpc }).peaqdid;
  if (!rpc) return undefined;
  const attribute = (await rpc.readAttribute(account, DID_ATTRIBUTE))?.toJSON() as { value?: string } | null;
  if (!attribute?.value) return undefined;
  const raw = attribute.value.startsWith('0x') ? Buffer.from(attribute.value.slice(2), 'hex').toString('utf8') : attribute.value;
  return decodeDidValue(raw);
}

/** Publishes (or updates) the document where the chain has the peaqDid pallet; undefined elsewhere. */
export async function publishDidDocument(chain: ChainClient, pair: KeyringPair, doc: Document): Promise<Inclusion | undefined> {
  if (!chain.features.peaqDid) return undefined;
  const existing = await readDidDocument(chain, pair.address).catch(() => undefined);
  const did = chain.api.tx.peaqDid as unknown as Record<string, (...args: unknown[]) => Parameters<ChainClient['submit']>[0]>;
  const call = existing ? did.updateAttribute! : did.addAttribute!;
  return chain.submit(call(pair.address, DID_ATTRIBUTE, encodeDidValue(doc), null), pair);
}

/** The multiaddr a wallet dials, from a provider's document (its p2p service). */
export function p2pServiceOf(doc: Document): string | undefined {
  return doc.services.find((s) => s.type === 'p2p')?.stringData;
}
