import { base58btc } from 'multiformats/bases/base58';
import type { KeyringPair } from '@polkadot/keyring/types';
import { blake2AsU8a, decodeAddress } from '@polkadot/util-crypto';
import { codecFor } from '../src/proto/codec.ts';
import type { Document_Document as Document, Document_Metadata as Metadata } from '../src/proto/types.ts';
import type { ChainClient, Inclusion } from './client.ts';

const documentCodec = codecFor('document.Document');
const metadataCodec = codecFor('document.Metadata');
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
      { id: `${did}#p2p`, type: 'p2p', serviceEndpoint: i.p2p, data: '' },
      { id: `${did}#payment`, type: 'payment', serviceEndpoint: i.payment, data: '' },
      ...i.stations.map((s) => ({ id: `${did}#${s.identity}`, type: 'metadata', serviceEndpoint: '', data: Buffer.from(metadataCodec.encode(metadata(s))).toString('hex') })),
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

type AttributeRecord = { name: { toU8a(bare: boolean): Uint8Array }; value: { toU8a(bare: boolean): Uint8Array } };

/**
 * The key of an attribute in `peaqDid.attributeStore`: blake2-256 of the owner's account id
 * bytes followed by the attribute name's bytes (how peaq's pallet and SDK address it).
 */
export function attributeKey(owner: Uint8Array, name: string): Uint8Array {
  return blake2AsU8a(Uint8Array.from([...owner, ...Buffer.from(name, 'utf8')]), 256);
}

/**
 * A provider's document from chain storage (as peaq's own SDK reads it: nodes need not serve
 * the peaqdid RPC), or undefined when it has none.
 */
export async function readDidDocument(chain: ChainClient, account: string): Promise<Document | undefined> {
  const raw = await readDidValue(chain, account);
  return raw === undefined ? undefined : decodeDidValue(raw);
}

/** The stored attribute value (ASCII hex of the document), or undefined when there is none. */
async function readDidValue(chain: ChainClient, account: string): Promise<string | undefined> {
  if (!chain.shape.peaqDid) return undefined;
  const store = (chain.api.query as unknown as { peaqDid: { attributeStore(key: Uint8Array): Promise<AttributeRecord> } }).peaqDid;
  const record = await store.attributeStore(attributeKey(decodeAddress(account), DID_ATTRIBUTE));
  // The storage item has a default: an absent attribute reads as an empty name.
  if (!record.name.toU8a(true).length) return undefined;
  return Buffer.from(record.value.toU8a(true)).toString('utf8');
}

/**
 * Publishes the document where the chain has the peaqDid pallet (undefined elsewhere, or
 * when the chain holds this exact document already). The stored attribute is read first, so
 * an existing one is updated rather than added: adding fails on chain
 * (peaqDid.AttributeAlreadyExist) and would still cost the fee.
 */
export async function publishDidDocument(chain: ChainClient, pair: KeyringPair, doc: Document): Promise<Inclusion | undefined> {
  if (!chain.shape.peaqDid) return undefined;
  const value = encodeDidValue(doc);
  const existing = await readDidValue(chain, pair.address);
  if (existing !== undefined && sameDocument(existing, value)) return undefined;
  const did = chain.api.tx.peaqDid as unknown as Record<string, (...args: unknown[]) => Parameters<ChainClient['submit']>[0]>;
  const call = existing === undefined ? did.addAttribute! : did.updateAttribute!;
  return chain.submit(call(pair.address, DID_ATTRIBUTE, value, null), pair);
}

/** Two stored documents say the same, apart from the signature over them. */
function sameDocument(a: string, b: string): boolean {
  try {
    const strip = (v: string) => JSON.stringify({ ...decodeDidValue(v), signature: undefined });
    return strip(a) === strip(b);
  } catch {
    return false;
  }
}

/** The multiaddr a wallet dials, from a provider's document (its p2p service). */
export function p2pServiceOf(doc: Document): string | undefined {
  return doc.services.find((s) => s.type === 'p2p')?.serviceEndpoint;
}

/** The stations a provider's document lists (its "metadata" services). */
export function stationsOf(doc: Document): Metadata[] {
  return doc.services.filter((s) => s.type === 'metadata' && s.data).map((s) => metadataCodec.decode(Buffer.from(s.data, 'hex')));
}
