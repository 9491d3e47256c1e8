import { codecFor } from '../proto/codec.ts';
import type { Session_Receipt as Receipt } from '../proto/types.ts';
import { DOMAIN, open } from '../p2p/envelope.ts';
import { badResponse } from './errors.ts';

const eventCodec = codecFor('events.Event');
const responseCodec = codecFor('cgw.Response');
const envelopeCodec = codecFor('cgw.SignedEnvelope');

/**
 * Checks a receipt offline: the signed envelope (a STOP_TRANSACTION_RESPONSE event or the
 * response to a stop request) must carry a valid signature of the gateway's key. Returns
 * the receipt it vouches for; throws when the envelope was tampered with or signed by
 * another key.
 */
export async function verifyReceipt(envelopeBytes: Uint8Array, gatewayPublicKey: Uint8Array): Promise<Receipt> {
  let domain: string;
  try {
    domain = envelopeCodec.decode(envelopeBytes).domain;
  } catch {
    throw badResponse(new Error('not a signed envelope'));
  }
  const isEvent = domain === DOMAIN.event;
  const envelope = await open(envelopeBytes, { domain: isEvent ? DOMAIN.event : DOMAIN.response, signer: gatewayPublicKey }).catch((err: unknown) => { throw badResponse(err); });
  const event = isEvent ? eventCodec.decode(envelope.payload) : responseCodec.decode(envelope.payload).event;
  const receipt = event?.stopTransactionResponseData?.receipt;
  if (!receipt) throw badResponse(new Error('the envelope holds no receipt'));
  return receipt;
}
