import { randomBytes } from 'node:crypto';
import { codecFor } from '../proto/codec.ts';
import type { Cgw_SignedEnvelope as SignedEnvelope } from '../proto/types.ts';
import { merkleLeaf, merkleRootFrom, merkleTree } from '../crypto/merkle.ts';
import { verifySignature, type Scheme } from '../crypto/signatures.ts';
import { BoundedMemo } from '../bounded-memo.ts';
import { Refusal } from './refusal.ts';

export type { SignedEnvelope };

export const DOMAIN = { request: 'cgw/request/v1', response: 'cgw/response/v1', event: 'cgw/event/v1' } as const;
/** What a batch signature is made for (BatchRoot.domain). */
export const BATCH_DOMAIN = 'cgw/event-batch/v1';
export type Domain = (typeof DOMAIN)[keyof typeof DOMAIN];

/** Anyone who signs envelopes: the gateway (ed25519) or a consumer (ed25519 or sr25519). */
export interface Signer {
  publicKey: Uint8Array;
  scheme: Scheme;
  sign(message: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

const envelopeCodec = codecFor('cgw.SignedEnvelope');
const inputCodec = codecFor('cgw.SigningInput');
const rootCodec = codecFor('cgw.BatchRoot');

/** The bytes a signature covers: the encoded SigningInput of the envelope's fields. */
export function signingBytes(e: Omit<SignedEnvelope, 'signature'>): Uint8Array {
  return inputCodec.encode({
    domain: e.domain, signer: e.signer, scheme: e.scheme, timestampMs: e.timestampMs, nonce: e.nonce,
    topic: e.topic, seq: e.seq, inReplyTo: e.inReplyTo, payload: e.payload,
  });
}

export interface SealOptions {
  domain: Domain;
  payload: Uint8Array;
  topic?: string;
  seq?: number;
  inReplyTo?: Uint8Array;
  timestampMs?: number;
  nonce?: Uint8Array;
}

const NO_PATH = { batchPath: [], batchIndex: 0, batchSize: 0 };

function unsignedEnvelope(signer: Signer, o: SealOptions): Omit<SignedEnvelope, 'signature'> {
  return {
    payload: o.payload,
    signer: signer.publicKey,
    scheme: signer.scheme,
    timestampMs: o.timestampMs ?? Date.now(),
    nonce: o.nonce ?? randomBytes(16),
    domain: o.domain,
    topic: o.topic ?? '',
    seq: o.seq ?? 0,
    inReplyTo: o.inReplyTo ?? new Uint8Array(0),
    ...NO_PATH,
  };
}

/** Signs a payload into an encoded SignedEnvelope. */
export async function seal(signer: Signer, o: SealOptions): Promise<Uint8Array> {
  const unsigned = unsignedEnvelope(signer, o);
  const signature = await signer.sign(signingBytes(unsigned));
  return envelopeCodec.encode({ ...unsigned, signature });
}

/**
 * Signs several events with one signature (over the root of their hash tree); each envelope
 * carries its path to the root, so it verifies on its own. One event alone is sealed as usual.
 */
export async function sealBatch(signer: Signer, items: SealOptions[]): Promise<Uint8Array[]> {
  if (items.length === 1) return [await seal(signer, items[0]!)];
  const unsigned = items.map((o) => {
    if (o.domain !== DOMAIN.event) throw new Error('only events are signed in batches');
    return unsignedEnvelope(signer, o);
  });
  const { root, paths } = merkleTree(unsigned.map((u) => merkleLeaf(signingBytes(u))));
  const signature = await signer.sign(rootCodec.encode({ domain: BATCH_DOMAIN, signer: signer.publicKey, scheme: signer.scheme, root, size: items.length }));
  return unsigned.map((u, i) => envelopeCodec.encode({ ...u, signature, batchPath: paths[i]!, batchIndex: i, batchSize: items.length }));
}

/** The envelope in `bytes`, unverified (to route or name it before it is checked), or undefined when it is none. */
export function decodeEnvelope(bytes: Uint8Array): SignedEnvelope | undefined {
  try {
    return envelopeCodec.decode(bytes);
  } catch {
    return undefined;
  }
}

/** What the envelope's signature covers: its SigningInput, or the root of the batch it was signed in. */
function signedBytes(e: SignedEnvelope): Uint8Array {
  if (!e.batchSize) return signingBytes(e);
  if (e.domain !== DOMAIN.event) throw new Refusal('InvalidRequest', 'only events are signed in batches');
  const root = merkleRootFrom(merkleLeaf(signingBytes(e)), e.batchIndex, e.batchSize, e.batchPath);
  if (!root) throw new Refusal('BadSignature', 'the batch path does not lead to a root');
  return rootCodec.encode({ domain: BATCH_DOMAIN, signer: e.signer, scheme: e.scheme, root, size: e.batchSize });
}


export interface OpenOptions {
  domain: Domain;
  /** Refuse envelopes whose timestamp is further than this from now (requests). */
  maxSkewMs?: number;
  /** Accept only this signer (responses and events of a known gateway). */
  signer?: Uint8Array;
  now?: number;
}

/** Decodes and verifies an envelope; throws Refusal saying why it is refused. */
export async function open(bytes: Uint8Array, o: OpenOptions): Promise<SignedEnvelope> {
  let e: SignedEnvelope;
  try {
    e = envelopeCodec.decode(bytes);
  } catch (err) {
    throw new Refusal('InvalidRequest', `not a signed envelope: ${(err as Error).message}`);
  }
  if (e.domain !== o.domain) throw new Refusal('InvalidRequest', `envelope is for "${e.domain}", expected "${o.domain}"`);
  if (e.signer.length !== 32) throw new Refusal('InvalidRequest', 'the signer must be a 32-byte public key');
  if (o.signer && Buffer.compare(Buffer.from(e.signer), Buffer.from(o.signer)) !== 0) {
    throw new Refusal('BadSignature', 'signed by an unexpected key');
  }
  if (o.maxSkewMs !== undefined) {
    const skew = Math.abs((o.now ?? Date.now()) - e.timestampMs);
    if (skew > o.maxSkewMs) throw new Refusal('Stale', `timestamp is ${Math.round(skew / 1000)} s away from the gateway clock (allowed ${o.maxSkewMs / 1000} s)`);
  }
  if (!(await signatureHolds(e))) throw new Refusal('BadSignature', 'the signature does not match the envelope');
  return e;
}

// The batch roots whose signature was checked: the events of one batch share it, and a wallet
// following many topics receives them one by one (one signature check per batch instead of one
// per event). An entry holds exactly what was verified (scheme, signer, signed bytes,
// signature); any other combination is checked anew.
const verifiedRoots = new BoundedMemo<string, string>(1024);

async function signatureHolds(e: SignedEnvelope): Promise<boolean> {
  const signed = signedBytes(e);
  if (!e.batchSize) return verifySignature(e.scheme, e.signer, signed, e.signature);
  const key = Buffer.from(e.signature).toString('hex');
  const what = `${e.scheme}:${Buffer.from(e.signer).toString('hex')}:${Buffer.from(signed).toString('hex')}`;
  if (verifiedRoots.get(key) === what) return true;
  if (!(await verifySignature(e.scheme, e.signer, signed, e.signature))) return false;
  verifiedRoots.set(key, what);
  return true;
}
