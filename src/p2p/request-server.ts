import type { Connection, Stream } from '@libp2p/interface';
import { lpStream } from '@libp2p/utils';
import { parseConsumerKey } from '../crypto/consumer-key.ts';
import type { Logger } from '../log/logger.ts';
import { codecFor } from '../proto/codec.ts';
import type { RequestClaim } from '../domain/change.ts';
import { refusalOf } from '../domain/refusals.ts';
import type { Cgw_Request as Request, Cgw_Response as Response, Events_Event as Event } from '../proto/types.ts';
import type { ConsumerApi, EventArchive, NonceStore } from './consumer-api.ts';
import { DOMAIN, decodeEnvelope, open, seal, type SignedEnvelope, type Signer } from './envelope.ts';
import { Refusal } from './refusal.ts';
import { eventsPage } from './events-page.ts';
import { MAX_NONCE_BYTES, MAX_REQUEST_BYTES, MIN_NONCE_BYTES, MAX_REQUESTS_UNDER_WAY, REQUESTS_IDLE_MS } from './protocol.ts';
import type { RateLimiter } from './rate-limit.ts';

const requestCodec = codecFor('cgw.Request');
const responseCodec = codecFor('cgw.Response');

export interface RequestServerOptions {
  api: ConsumerApi;
  nonces: NonceStore;
  archive: EventArchive;
  signer: Signer;
  /** How far a request's timestamp may be from the gateway clock. */
  maxSkewMs: number;
  limiter: RateLimiter;
  log: Logger;
  /** How long a stream may take to deliver its request. */
  readTimeoutMs?: number;
  /** A requests stream with no frame for this long is ended (REQUESTS_IDLE_MS unless given). */
  streamIdleMs?: number;
  /** Amounts in answers as a person reads them ("1 PEAQ"). */
  formatAmount?: (amount: bigint) => string;
}


const ok = (message: string) => ({ error: false, message });

// The requests whose first act is a station change, which writes their replay key in its batch.
const CARRIED: ReadonlySet<string> = new Set(['START_TRANSACTION_REQUEST', 'STOP_TRANSACTION_REQUEST']);

// An answer the wallet does not take within this (it stopped reading) ends its stream.
const ANSWER_WRITE_MS = 30_000;

/** Why a frame could not be read: too large (named by @libp2p/utils' length-prefixed reader), or anything else. */
function unreadable(err: unknown): Refusal {
  const name = (err as Error).name;
  return name === 'InvalidDataLengthError' || name === 'InvalidDataLengthLengthError'
    ? new Refusal('TooLarge', `requests are limited to ${MAX_REQUEST_BYTES} bytes`)
    : new Refusal('InvalidRequest', `could not read a request: ${(err as Error).message}`);
}

/**
 * Serves the consumer request protocols (one request per stream, or many on one stream): each
 * signed request is checked for size,
 * signature, freshness, replay and key ownership before anything happens, and one signed
 * response (a cgw.ErrorResponse for every refusal; never a crash, never a state change).
 */
export class RequestServer {
  private readonly opts: RequestServerOptions;

  constructor(opts: RequestServerOptions) {
    this.opts = opts;
  }

  /** REQUEST_PROTOCOL: one request, one answer, then the stream closes. */
  readonly handle = async (stream: Stream, connection: Connection): Promise<void> => {
    const peer = connection.remotePeer.toString();
    const lp = lpStream(stream, { maxDataLength: MAX_REQUEST_BYTES });
    let answer: Uint8Array;
    if (!this.opts.limiter.take(peer)) {
      answer = await this.refuse(new Refusal('RateLimited', 'too many requests from this peer; slow down'));
    } else {
      try {
        answer = await this.answer(peer, (await lp.read({ signal: AbortSignal.timeout(this.opts.readTimeoutMs ?? 10_000) })).subarray());
      } catch (err) {
        answer = await this.refuse(unreadable(err));
      }
    }
    try {
      await lp.write(answer);
      await stream.close();
    } catch (err) {
      this.opts.log.debug('could not answer a consumer request (stream gone)', { peer, err });
      stream.abort(err instanceof Error ? err : new Error(String(err)));
    }
  };

  /**
   * REQUESTS_PROTOCOL: many requests on one stream, each answered once it is done (a start
   * that waits for the driver does not hold up a status query behind it), named by its nonce
   * in in_reply_to. A frame that cannot be read is answered without in_reply_to and ends the
   * stream once the requests under way are answered; so does a stream on which no frame
   * arrives for streamIdleMs (without an answer), and one whose wallet takes no answer for 30 s.
   */
  readonly handleMany = async (stream: Stream, connection: Connection): Promise<void> => {
    const peer = connection.remotePeer.toString();
    // Frames a wallet sends ahead of the 16 under way wait unread; beyond a quota's worth, the
    // stream is reset (the reader's overflow), so no peer piles up memory here.
    const lp = lpStream(stream, { maxDataLength: MAX_REQUEST_BYTES, maxBufferSize: (MAX_REQUESTS_UNDER_WAY + 1) * MAX_REQUEST_BYTES });
    const underWay = new Set<Promise<void>>();
    let writing: Promise<void> = Promise.resolve();
    const send = (answer: Uint8Array): Promise<void> => (writing = writing.then(() => lp.write(answer, { signal: AbortSignal.timeout(ANSWER_WRITE_MS) })));
    try {
      for (;;) {
        // Backpressure: the stream is not read further while its quota of requests is under way.
        while (underWay.size >= MAX_REQUESTS_UNDER_WAY) await Promise.race(underWay);
        let bytes: Uint8Array;
        try {
          bytes = (await lp.read({ signal: AbortSignal.timeout(this.opts.streamIdleMs ?? REQUESTS_IDLE_MS) })).subarray();
        } catch (err) {
          // The wallet closed its side (between frames, or halfway through one), or went quiet
          // (a frame cut short by the deadline cannot be read on): nothing to answer.
          const name = (err as Error).name;
          if (name === 'UnexpectedEOFError' || name === 'TimeoutError' || name === 'AbortError') break;
          await send(await this.refuse(unreadable(err)));
          break;
        }
        const request = decodeEnvelope(bytes);
        if (!request || request.nonce.length < MIN_NONCE_BYTES) {
          await send(await this.refuse(new Refusal('InvalidRequest', `not a signed envelope with a nonce of at least ${MIN_NONCE_BYTES} bytes`)));
          break;
        }
        const task = (this.opts.limiter.take(peer)
          ? this.answer(peer, bytes, request.nonce)
          : this.refuse(new Refusal('RateLimited', 'too many requests from this peer; slow down'), request.nonce)
        ).then(send)
          // The wallet went away or stopped reading: its answer has nowhere to go, and the stream ends.
          .catch((err: unknown) => {
            this.opts.log.debug('could not answer a consumer request (stream gone)', { peer, err });
            stream.abort(err instanceof Error ? err : new Error(String(err)));
          })
          .finally(() => underWay.delete(task));
        underWay.add(task);
      }
      await Promise.allSettled(underWay);
      await writing;
      await stream.close();
    } catch (err) {
      this.opts.log.debug('could not answer consumer requests (stream gone)', { peer, err });
      stream.abort(err instanceof Error ? err : new Error(String(err)));
    }
  };

  /**
   * The signed answer to one request. `claimedNonce`: the nonce to name also when the request
   * is refused before its signature is checked (on a stream of many requests the wallet needs
   * it to tell which request an answer is for).
   */
  private async answer(peer: string, bytes: Uint8Array, claimedNonce?: Uint8Array): Promise<Uint8Array> {
    let request: SignedEnvelope | undefined;
    let response: Response;
    try {
      const verified = await this.verify(bytes);
      request = verified.envelope;
      try {
        response = await this.dispatch(request, verified.claim);
      } finally {
        // Durable before the answer leaves, whatever the outcome (nothing to write for a claim its change carried).
        await this.opts.nonces.settle(verified.claim);
      }
    } catch (err) {
      // A registered refusal passes to the wallet as it is; anything else is a fault, said in general words.
      response = { error: refusalOf(err) ?? { code: 'InternalError', message: 'the gateway could not handle this request' } };
      if (!(err instanceof Refusal)) this.opts.log.warn('consumer request failed', { peer, err });
    }
    return this.seal(response, request?.nonce ?? claimedNonce);
  }

  private refuse(refusal: Refusal, inReplyTo?: Uint8Array): Promise<Uint8Array> {
    return this.seal({ error: refusalOf(refusal)! }, inReplyTo);
  }

  private seal(response: Response, inReplyTo: Uint8Array | undefined): Promise<Uint8Array> {
    return seal(this.opts.signer, { domain: DOMAIN.response, payload: responseCodec.encode(response), ...(inReplyTo ? { inReplyTo } : {}) });
  }


  /**
   * Signature and freshness, then replay: the request's (signer, nonce) is claimed, and made
   * durable before anything acts on it (see dispatch).
   */
  private async verify(bytes: Uint8Array): Promise<{ envelope: SignedEnvelope; claim: RequestClaim }> {
    const envelope = await open(bytes, { domain: DOMAIN.request, maxSkewMs: this.opts.maxSkewMs });
    // Bounded above too: every nonce is kept (in memory and storage) for the freshness window.
    if (envelope.nonce.length < MIN_NONCE_BYTES || envelope.nonce.length > MAX_NONCE_BYTES) throw new Refusal('InvalidRequest', `the nonce must be ${MIN_NONCE_BYTES} to ${MAX_NONCE_BYTES} bytes`);
    const minute = Math.floor(envelope.timestampMs / 60_000);
    const claim = await this.opts.nonces.claim(minute, Buffer.from(envelope.signer).toString('hex'), Buffer.from(envelope.nonce).toString('hex'));
    if (!claim) throw new Refusal('Replayed', 'this request (signer and nonce) was already received');
    return { envelope, claim };
  }

  private decode(envelope: SignedEnvelope): Request {
    try {
      return requestCodec.decode(envelope.payload);
    } catch (err) {
      throw new Refusal('InvalidRequest', `the payload is not a cgw.Request: ${(err as Error).message}`);
    }
  }

  /** The key in the request must be the key that signed it. */
  private ownKey(envelope: SignedEnvelope, claimed: string): string {
    let hex: string;
    try {
      hex = parseConsumerKey(claimed).hex;
    } catch (err) {
      throw new Refusal('InvalidRequest', (err as Error).message);
    }
    if (hex !== Buffer.from(envelope.signer).toString('hex')) {
      throw new Refusal('ForeignKey', 'consumer_public_key is not the key that signed the request');
    }
    return claimed;
  }

  /** A request's budget: empty for the gateway's minimum, else an integer amount in the smallest unit. */
  private budget(text: string): { budget?: bigint } {
    if (!text) return {};
    if (!/^\d{1,39}$/.test(text)) throw new Refusal('InvalidRequest', 'budget must be an integer amount in the smallest unit');
    return { budget: BigInt(text) };
  }

  private budgetText(session: { budget: string }): string {
    return session.budget ? `, budget ${this.opts.formatAmount?.(BigInt(session.budget)) ?? session.budget}` : '';
  }

  /**
   * A start or a stop carries its claim into the station change it makes first (written in that
   * batch, before the station is asked); every other request has it written before it acts.
   * Only these two are handed the claim (dispatchEvent): any other gets undefined.
   */
  private async dispatch(envelope: SignedEnvelope, claim: RequestClaim): Promise<Response> {
    const request = this.decode(envelope);
    const carried = request.event && CARRIED.has(request.event.eventId) ? claim : undefined;
    if (!carried) await this.opts.nonces.settle(claim);
    const { api } = this.opts;
    if (request.sessionStatus) {
      const r = request.sessionStatus;
      const status = await api.status({ station: r.chargePointClientId, consumerKey: this.ownKey(envelope, r.consumerPublicKey) });
      return {
        sessionStatus: {
          resp: ok(status ? `session ${status.session.state}` : 'no session'),
          ...(status ? { session: status.session } : {}),
          ...(status?.transaction ? { transaction: status.transaction } : {}),
        },
      };
    }
    if (request.cancel) {
      const r = request.cancel;
      const session = await api.cancel({ station: r.chargePointClientId, consumerKey: this.ownKey(envelope, r.consumerPublicKey) });
      return { cancel: { resp: ok(session ? 'authorization cancelled' : 'nothing to cancel'), ...(session ? { session } : {}) } };
    }
    if (request.reserve) {
      const r = request.reserve;
      const consumerKey = this.ownKey(envelope, r.consumerPublicKey);
      const session = await api.reserve({ station: r.chargePointClientId, consumerKey, connectorId: r.connectorId, minutes: r.minutes, ...this.budget(r.budget) });
      return { reserve: { resp: ok(`connector ${session.connectorId} of ${session.station} reserved for ${session.idTag} until ${session.expiresAt}${this.budgetText(session)}`), session } };
    }
    if (request.contract) {
      const r = request.contract;
      const done = await api.contract({ consumerKey: this.ownKey(envelope, r.consumerPublicKey), emaid: r.emaid, remove: r.remove });
      return { contract: { resp: ok(`${done.emaid} ${r.remove ? 'removed' : 'registered'}`), ...done } };
    }
    if (request.events) {
      const limit = Math.min(Math.max(request.events.limit || 100, 1), 1000);
      const found = await this.opts.archive.eventsAfter(request.events.topic, request.events.afterSeq, limit);
      const envelopes = eventsPage(found);
      return { events: { envelopes, more: envelopes.length < found.length || found.length === limit } };
    }
    const event = request.event;
    if (!event) throw new Refusal('InvalidRequest', 'the request is empty');
    return { event: await this.dispatchEvent(envelope, event, carried) };
  }

  private async dispatchEvent(envelope: SignedEnvelope, event: Event, claim: RequestClaim | undefined): Promise<Event> {
    const { api } = this.opts;
    switch (event.eventId) {
      case 'AUTHORIZE_REQUEST': {
        const d = event.authorizeRequestData;
        if (!d) throw new Refusal('InvalidRequest', 'AUTHORIZE_REQUEST needs authorize_request_data');
        const key = this.ownKey(envelope, d.consumerPublicKey);
        const session = await api.authorize({ station: d.chargePointClientId, consumerKey: key, ...this.budget(d.budget) });
        return { eventId: 'AUTHORIZE_RESPONSE', authorizeResponseData: { consumerPublicKey: key, resp: ok(`authorized as ${session.idTag} until ${session.expiresAt}${this.budgetText(session)}`) } };
      }
      case 'CHECK_AVAILABILITY_REQUEST': {
        const d = event.checkAvailabilityRequestData;
        if (!d) throw new Refusal('InvalidRequest', 'CHECK_AVAILABILITY_REQUEST needs check_availability_request_data');
        const r = await api.checkAvailability({ station: d.chargePointClientId, connectorId: d.connectorId });
        return { eventId: 'CHECK_AVAILABILITY_RESPONSE', checkAvailabilityResponseData: { resp: { error: !r.available, message: r.reason ?? 'available' } } };
      }
      case 'START_TRANSACTION_REQUEST': {
        const d = event.startTransactionRequestData;
        if (!d) throw new Refusal('InvalidRequest', 'START_TRANSACTION_REQUEST needs start_transaction_request_data');
        const key = this.ownKey(envelope, d.consumerPublicKey);
        const { transaction } = await api.start({ station: d.chargePointClientId, connectorId: d.connectorId, consumerKey: key, claim });
        return { eventId: 'START_TRANSACTION_RESPONSE', startTransactionResponseData: { consumerPublicKey: key, resp: ok(`transaction ${transaction.id} started`) } };
      }
      case 'STOP_TRANSACTION_REQUEST': {
        const d = event.stopTransactionRequestData;
        if (!d) throw new Refusal('InvalidRequest', 'STOP_TRANSACTION_REQUEST needs stop_transaction_request_data');
        const key = this.ownKey(envelope, d.consumerPublicKey);
        const receipt = await api.stop({ station: d.chargePointClientId, connectorId: d.connectorId, consumerKey: key, claim });
        return {
          eventId: 'STOP_TRANSACTION_RESPONSE',
          stopTransactionResponseData: {
            consumerPublicKey: key,
            ...(receipt.transaction ? { transactionInfo: receipt.transaction } : {}),
            resp: ok(`session ended: ${receipt.energyWh} Wh, ${receipt.totalAmount} owed`),
            receipt,
          },
        };
      }
      default:
        throw new Refusal('InvalidRequest', `${event.eventId} is not a request this gateway serves`);
    }
  }
}
