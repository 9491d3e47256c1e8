import type { Stream } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { lpStream } from '@libp2p/utils';
import { decodeEnvelope } from '../p2p/envelope.ts';
import type { P2pNode } from '../p2p/node.ts';
import { MAX_NONCE_BYTES, MAX_REQUEST_BYTES, MAX_REQUESTS_UNDER_WAY, MAX_RESPONSE_BYTES, MIN_NONCE_BYTES, REQUEST_PROTOCOL, REQUESTS_PROTOCOL } from '../p2p/protocol.ts';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

// A stream with nothing waiting is closed after this, well before the gateway ends it for
// idleness (REQUESTS_IDLE_MS): a request is never written onto a stream the gateway is ending.
const IDLE_CLOSE_MS = 60_000;
const DIAL_TIMEOUT_MS = 30_000;

interface Waiting {
  resolve(answer: Uint8Array): void;
  reject(err: unknown): void;
}

/** One open REQUESTS_PROTOCOL stream, and the requests sent on it that wait for their answers, by nonce. */
class ManyRequestsStream {
  private readonly stream: Stream;
  private readonly waiting = new Map<string, Waiting>();
  private readonly lp;
  private writing: Promise<void> = Promise.resolve();
  private idle: NodeJS.Timeout | undefined;
  ended = false;

  constructor(stream: Stream) {
    this.stream = stream;
    this.lp = lpStream(stream, { maxDataLength: MAX_RESPONSE_BYTES });
    void this.readAnswers();
    this.idleLater();
  }

  /** Whether this request can go on this stream: the gateway handles 16 of a stream at a time, and answers name their request by nonce. */
  takes(nonce: Uint8Array): boolean {
    return !this.ended && this.waiting.size < MAX_REQUESTS_UNDER_WAY && !this.waiting.has(hex(nonce));
  }

  send(envelope: Uint8Array, nonce: Uint8Array, signal: AbortSignal): Promise<Uint8Array> {
    const key = hex(nonce);
    clearTimeout(this.idle);
    return new Promise((resolve, reject) => {
      const entry: Waiting = {
        resolve: (answer) => { settled(); resolve(answer); },
        reject: (err) => { settled(); reject(err); },
      };
      const drop = (): void => {
        if (this.waiting.get(key) === entry) this.waiting.delete(key);
        if (!this.waiting.size) this.idleLater();
      };
      const onAbort = (): void => {
        drop();
        reject(signal.reason);
      };
      const settled = (): void => { signal.removeEventListener('abort', onAbort); };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.set(key, entry);
      // One frame after another: concurrent requests never interleave their bytes. A request
      // given up while it waited for its turn is not sent at all.
      this.writing = this.writing.then(async () => {
        if (!signal.aborted) await this.lp.write(envelope, { signal });
      }).catch((err: unknown) => {
        drop();
        entry.reject(err);
      });
    });
  }

  private idleLater(): void {
    clearTimeout(this.idle);
    this.idle = setTimeout(() => {
      if (this.waiting.size) return;
      // The gateway answers the close by ending its side; readAnswers ends with it.
      this.ended = true;
      void this.stream.close().catch(() => {});
    }, IDLE_CLOSE_MS);
    this.idle.unref();
  }

  private async readAnswers(): Promise<void> {
    let failure: Error = new Error('the gateway closed the request stream');
    try {
      for (;;) {
        const answer = (await this.lp.read()).subarray();
        const replyTo = decodeEnvelope(answer)?.inReplyTo;
        const key = replyTo?.length ? hex(replyTo) : '';
        const waiting = this.waiting.get(key);
        // An answer for no request of ours (the gateway could not read a frame): the gateway
        // ends the stream after it, and what still waits fails below.
        if (!waiting) continue;
        this.waiting.delete(key);
        waiting.resolve(answer);
        if (!this.waiting.size) this.idleLater();
      }
    } catch (err) {
      if ((err as Error).name !== 'UnexpectedEOFError') failure = err as Error;
    } finally {
      this.ended = true;
      clearTimeout(this.idle);
      for (const waiting of this.waiting.values()) waiting.reject(failure);
      this.waiting.clear();
      // Our side too, so the stream does not linger half open on the gateway.
      void this.stream.close().catch(() => {});
    }
  }
}

/**
 * How a client's requests reach its gateway: many on one long-lived stream
 * (REQUESTS_PROTOCOL, no stream to open and negotiate per request), or one stream per request
 * (REQUEST_PROTOCOL) for a gateway that does not speak the first, for bytes the gateway could
 * not name in its answer (not an envelope, a nonce other than the one given, too large), for a
 * nonce already waiting, and beyond the 16 requests a stream carries at a time.
 */
export class RequestChannel {
  private readonly node: P2pNode;
  private readonly gatewayPeer: string;
  private current: ManyRequestsStream | undefined;
  private opening: Promise<ManyRequestsStream | undefined> | undefined;
  private oneEach = false;

  constructor(node: P2pNode, gatewayPeer: string) {
    this.node = node;
    this.gatewayPeer = gatewayPeer;
  }

  /** The gateway's answer (its signed envelope, not yet verified). */
  async send(envelope: Uint8Array, nonce: Uint8Array, signal: AbortSignal): Promise<Uint8Array> {
    const named = nonce.length >= MIN_NONCE_BYTES && nonce.length <= MAX_NONCE_BYTES && envelope.length <= MAX_REQUEST_BYTES && hex(decodeEnvelope(envelope)?.nonce ?? new Uint8Array()) === hex(nonce);
    const stream = named && !this.oneEach ? await this.stream() : undefined;
    return stream?.takes(nonce) ? stream.send(envelope, nonce, signal) : this.sendAlone(envelope, signal);
  }

  private async stream(): Promise<ManyRequestsStream | undefined> {
    if (this.current && !this.current.ended) return this.current;
    this.opening ??= (async () => {
      try {
        // Its own deadline: the stream serves every caller, not only the one that opened it.
        const stream = await this.node.dialProtocol(peerIdFromString(this.gatewayPeer), REQUESTS_PROTOCOL, { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) });
        return (this.current = new ManyRequestsStream(stream));
      } catch (err) {
        // An older gateway: one stream per request from now on.
        if ((err as Error).name !== 'UnsupportedProtocolError') throw err;
        this.oneEach = true;
        return undefined;
      } finally {
        this.opening = undefined;
      }
    })();
    return this.opening;
  }

  private async sendAlone(envelope: Uint8Array, signal: AbortSignal): Promise<Uint8Array> {
    const stream = await this.node.dialProtocol(peerIdFromString(this.gatewayPeer), REQUEST_PROTOCOL, { signal });
    const lp = lpStream(stream, { maxDataLength: MAX_RESPONSE_BYTES });
    await lp.write(envelope, { signal });
    const answer = (await lp.read({ signal })).subarray();
    // The answer is in: closing is the stream's own business.
    void stream.close().catch(() => {});
    return answer;
  }
}
