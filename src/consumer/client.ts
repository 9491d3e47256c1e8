import { randomBytes } from 'node:crypto';
import type { Message } from '@libp2p/gossipsub';
import { peerIdFromString } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
import { codecFor } from '../proto/codec.ts';
import type {
  Cgw_Request as Request, Cgw_Response as Response, Events_Event as Event, Session_ConsumerSession as ConsumerSession,
  Session_Receipt as Receipt, TransactionInfo,
} from '../proto/types.ts';
import { DOMAIN, open, seal, type SignedEnvelope } from '../p2p/envelope.ts';
import { createP2pNode, type P2pNode } from '../p2p/node.ts';
import { consumerTopic, isStationTopic, stationCid, stationsFeedTopic, stationTopic } from '../p2p/protocol.ts';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { badResponse, ConsumerError } from './errors.ts';
import { RequestChannel } from './request-channel.ts';
import type { ConsumerSigner } from './signer.ts';

const requestCodec = codecFor('cgw.Request');
const responseCodec = codecFor('cgw.Response');
const eventCodec = codecFor('events.Event');
const bundleCodec = codecFor('cgw.EventBundle');
// The oldest event (the wallet's clock against the gateway's timestamp) that starts a station on the stations feed.
const FEED_START_MAX_AGE_MS = 10 * 60_000;
const warn = (message: string): void => process.emitWarning(message, 'ConsumerClientWarning');
// The background filler of the feed's gaps: its pace, and its wait after a refused fill (doubling).
const FILLS_PER_SECOND = 2;
const FILL_RETRY_MS = 1_000;
const FILL_RETRY_MAX_MS = 30_000;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

async function dialAddress(node: P2pNode, address: string): Promise<string> {
  const target = multiaddr(address);
  const peer = target.getComponents().findLast((c) => c.name === 'p2p')?.value;
  if (!peer) throw new Error(`the gateway address must end in /p2p/<peer id>: ${address}`);
  await node.dial(target);
  return peer;
}

/** Asks the DHT which gateway announced the station, and connects to it. */
async function findGateway(node: P2pNode, station: string, bootstrap: string[]): Promise<string> {
  if (!station) throw new Error('connect needs a gateway multiaddr or a station identity');
  if (!bootstrap.length) throw new Error('finding a station through the DHT needs at least one bootstrap peer');
  await Promise.allSettled(bootstrap.map((a) => node.dial(multiaddr(a))));
  const cid = await stationCid(station);
  for await (const provider of node.contentRouting.findProviders(cid, { signal: AbortSignal.timeout(20_000) })) {
    try {
      await node.dial(provider.multiaddrs.length ? provider.multiaddrs : provider.id);
      return provider.id.toString();
    } catch {
      // That provider is gone or unreachable; try the next one.
    }
  }
  throw new ConsumerError('UnknownStation', `no gateway announced station ${station} on the DHT`);
}

/** A verified event from the gateway, in topic order. */
export interface GatewayEvent {
  topic: string;
  seq: number;
  event: Event;
  /** The signed envelope as received: keep it to prove a receipt later (verifyReceipt). */
  envelope: Uint8Array;
}

export interface ConnectOptions {
  /** The gateway's multiaddr, ending in /p2p/<peer id>. */
  gateway?: string;
  /** Or: find the gateway that serves this charge point through the DHT. */
  station?: string;
  /** Peers to join the DHT through (for `station`). */
  bootstrap?: string[];
  /** Accept private (LAN) addresses from the DHT. */
  dhtPrivateAddresses?: boolean;
  signer: ConsumerSigner;
  /** Per-request timeout (a start waits for the driver to plug in). */
  timeoutMs?: number;
}

/**
 * The wallet side of the gateway protocol: signed requests over libp2p, verified signed
 * responses, and verified, ordered events. The gateway's signing key is its libp2p peer
 * identity, so a response or event signed by any other key is refused.
 */
export class ConsumerClient {
  readonly node: P2pNode;
  readonly signer: ConsumerSigner;
  readonly gatewayPeer: string;
  readonly gatewayKey: Uint8Array;
  private readonly timeoutMs: number;
  // Shared with the clients made by `as`: one request stream per node.
  private readonly channel: RequestChannel;
  private readonly lastSeq = new Map<string, number>();
  private readonly handlers = new Map<string, (e: GatewayEvent) => void>();
  private readonly pending = new Map<string, Promise<void>>();
  private readonly fillWaiting = new Map<string, Promise<void>>();
  // Topics whose gap waits for the background filler (fillLater), in the order seen.
  private readonly fillQueue = new Set<string>();
  private filling = false;
  private closed = false;
  // The stations feed's handler, and its bundles taken one after the other.
  private feedHandler: ((e: GatewayEvent) => void) | undefined;
  private feedQueue: Promise<void> = Promise.resolve();

  private constructor(node: P2pNode, signer: ConsumerSigner, gatewayPeer: string, gatewayKey: Uint8Array, timeoutMs: number, channel?: RequestChannel) {
    this.node = node;
    this.channel = channel ?? new RequestChannel(node, gatewayPeer);
    this.signer = signer;
    this.gatewayPeer = gatewayPeer;
    this.gatewayKey = gatewayKey;
    this.timeoutMs = timeoutMs;
    node.services.pubsub.addEventListener('message', (evt) => { void this.onMessage(evt.detail); });
  }

  static async connect(o: ConnectOptions): Promise<ConsumerClient> {
    const node = await createP2pNode({
      privateKey: await generateKeyPair('Ed25519'), listen: [], clientMode: true, dhtPrivateAddresses: o.dhtPrivateAddresses ?? false,
    });
    try {
      const peer = o.gateway ? await dialAddress(node, o.gateway) : await findGateway(node, o.station ?? '', o.bootstrap ?? []);
      const peerId = peerIdFromString(peer);
      if (peerId.type !== 'Ed25519' || !peerId.publicKey) throw new Error('the gateway peer id must be an Ed25519 key (its event-signing key)');
      return new ConsumerClient(node, o.signer, peer, peerId.publicKey.raw, o.timeoutMs ?? 150_000);
    } catch (err) {
      await node.stop();
      throw err;
    }
  }

  /**
   * Another account of the same app: requests signed with `signer`, over this client's libp2p
   * node and gateway connection (one peer for many wallets, e.g. a fleet app). The node is
   * shared: close the client that connected, not the ones made here.
   */
  as(signer: ConsumerSigner): ConsumerClient {
    return new ConsumerClient(this.node, signer, this.gatewayPeer, this.gatewayKey, this.timeoutMs, this.channel);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.node.stop();
  }

  /** Sends a signed request and returns the gateway's verified answer (throws ConsumerError on a refusal). */
  async request(body: Request): Promise<Response> {
    const nonce = randomBytes(16);
    const envelope = await seal(this.signer, { domain: DOMAIN.request, payload: requestCodec.encode(body), nonce });
    return this.send(envelope, nonce);
  }

  /** Sends an already sealed request envelope (e.g. to test a replay) and verifies the answer. */
  async send(envelope: Uint8Array, nonce: Uint8Array): Promise<Response> {
    const signal = AbortSignal.timeout(this.timeoutMs);
    const bytes = await this.channel.send(envelope, nonce, signal);
    const answer = await open(bytes, { domain: DOMAIN.response, signer: this.gatewayKey }).catch((err: unknown) => { throw badResponse(err); });
    if (answer.inReplyTo.length && Buffer.compare(Buffer.from(answer.inReplyTo), Buffer.from(nonce)) !== 0) {
      throw new ConsumerError('BadResponse', 'the answer is for another request');
    }
    const response = responseCodec.decode(answer.payload);
    if (response.error) throw new ConsumerError(response.error.code, response.error.message);
    return response;
  }

  /** `budget`: what the session may spend at most (smallest unit); absent: the gateway's minimum deposit. */
  async authorize(station: string, opts: { budget?: bigint } = {}): Promise<string> {
    const authorizeRequestData = { chargePointClientId: station, consumerPublicKey: this.signer.address, budget: opts.budget?.toString() ?? '' };
    const r = await this.request({ event: { eventId: 'AUTHORIZE_REQUEST', authorizeRequestData } });
    return r.event?.authorizeResponseData?.resp?.message ?? '';
  }

  async checkAvailability(station: string, connectorId: number): Promise<{ available: boolean; reason: string }> {
    const r = await this.request({ event: { eventId: 'CHECK_AVAILABILITY_REQUEST', checkAvailabilityRequestData: { chargePointClientId: station, connectorId } } });
    const resp = r.event?.checkAvailabilityResponseData?.resp;
    return { available: resp ? !resp.error : false, reason: resp?.message ?? '' };
  }

  async start(station: string, connectorId: number): Promise<string> {
    const r = await this.request({ event: { eventId: 'START_TRANSACTION_REQUEST', startTransactionRequestData: { chargePointClientId: station, connectorId, consumerPublicKey: this.signer.address } } });
    return r.event?.startTransactionResponseData?.resp?.message ?? '';
  }

  /** Stops the session; the receipt comes back signed (see verifyReceipt). */
  async stop(station: string, connectorId: number): Promise<Receipt> {
    const r = await this.request({ event: { eventId: 'STOP_TRANSACTION_REQUEST', stopTransactionRequestData: { chargePointClientId: station, connectorId, consumerPublicKey: this.signer.address } } });
    const receipt = r.event?.stopTransactionResponseData?.receipt;
    if (!receipt) throw new ConsumerError('BadResponse', 'the stop response carries no receipt');
    return receipt;
  }

  async status(station: string): Promise<{ session?: ConsumerSession; transaction?: TransactionInfo }> {
    const r = await this.request({ sessionStatus: { chargePointClientId: station, consumerPublicKey: this.signer.address } });
    return { ...(r.sessionStatus?.session ? { session: r.sessionStatus.session } : {}), ...(r.sessionStatus?.transaction ? { transaction: r.sessionStatus.transaction } : {}) };
  }

  /** Gives up this key's authorization on a station that has not started charging; the failed session, or undefined when there was none. */
  async cancel(station: string): Promise<ConsumerSession | undefined> {
    const r = await this.request({ cancel: { chargePointClientId: station, consumerPublicKey: this.signer.address } });
    return r.cancel?.session;
  }

  /**
   * Holds a connector for this key for `minutes` (default 15): only this key can start there
   * until it expires or is cancelled (`cancel`). With a chain, the budget is reserved from the
   * deposit as for an authorization. Returns the authorized session with its reservation.
   */
  async reserve(station: string, connectorId: number, opts: { minutes?: number; budget?: bigint } = {}): Promise<ConsumerSession> {
    const r = await this.request({ reserve: { chargePointClientId: station, consumerPublicKey: this.signer.address, connectorId, minutes: opts.minutes ?? 0, budget: opts.budget?.toString() ?? '' } });
    if (!r.reserve?.session) throw new ConsumerError('BadResponse', 'the answer carries no reserved session');
    return r.reserve.session;
  }

  /**
   * Plug & Charge: registers a contract (eMAID) to this key, so that a station's Authorize
   * with it starts a session billed here (receipts and settlement as for any session).
   * `remove` gives it up. Returns every eMAID this key has registered on the gateway.
   */
  async registerContract(emaid: string, options: { remove?: boolean } = {}): Promise<{ emaid: string; registeredAt: string; contracts: string[] }> {
    const r = await this.request({ contract: { consumerPublicKey: this.signer.address, emaid, remove: options.remove ?? false } });
    if (!r.contract) throw new ConsumerError('BadResponse', 'the answer carries no contract response');
    return { emaid: r.contract.emaid, registeredAt: r.contract.registeredAt, contracts: r.contract.contracts };
  }

  /** This consumer's topic (progress, start/stop responses, receipts). */
  get topic(): string {
    return consumerTopic(this.signer.hex);
  }

  stationTopic(identity: string): string {
    return stationTopic(identity);
  }

  /**
   * Follows a topic from `afterSeq` on: missed events are fetched from the gateway first,
   * then live ones arrive through gossipsub. Each is verified (gateway signature, topic) and
   * delivered once, in sequence order; a gap is filled from the gateway before going on, and
   * a number the gateway skipped (README, "Events") is passed over with a process warning. A
   * handler that throws or rejects is reported as a process warning ('ConsumerClientWarning');
   * its event counts as delivered.
   */
  async follow(topic: string, onEvent: (e: GatewayEvent) => void, afterSeq = 0): Promise<void> {
    this.lastSeq.set(topic, afterSeq);
    this.handlers.set(topic, onEvent);
    this.node.services.pubsub.subscribe(topic);
    await this.catchUp(topic);
  }

  /** The gateway's stations feed: the events of all its station topics, several to a gossipsub message. */
  get stationsTopic(): string {
    return stationsFeedTopic(this.gatewayPeer);
  }

  /**
   * Follows every station of the gateway through one subscription, its stations feed (a map
   * or fleet app). Each event is verified and delivered once, in sequence order per station
   * topic, as `follow` delivers it; a station's events start with the first one the feed
   * brings that is at most 10 minutes old (the gateway's timestamp against this machine's
   * clock; `follow` a station's topic with `afterSeq` for its history), and a gap is filled
   * from the gateway. Call it once: stations already seen stay with the first handler. A
   * handler that throws or rejects is reported as a process warning ('ConsumerClientWarning')
   * and its event counts as delivered (as for `follow`).
   */
  async followStations(onEvent: (e: GatewayEvent) => void): Promise<void> {
    this.feedHandler = onEvent;
    this.node.services.pubsub.subscribe(this.stationsTopic);
  }

  /**
   * Fetches what the gateway holds of `topic` after the last event delivered. One fill runs per
   * topic and at most one waits behind it: a gap seen again meanwhile joins the waiting one
   * instead of asking once more.
   */
  private catchUp(topic: string): Promise<void> {
    const waiting = this.fillWaiting.get(topic);
    if (waiting) return waiting;
    const previous = this.pending.get(topic) ?? Promise.resolve();
    const next = previous.then(async () => {
      this.fillWaiting.delete(topic);
      for (;;) {
        const r = await this.request({ events: { topic, afterSeq: this.lastSeq.get(topic) ?? 0, limit: 500 } });
        const envelopes = r.events?.envelopes ?? [];
        for (const bytes of envelopes) await this.deliver(topic, bytes);
        if (!r.events?.more) return;
      }
    });
    this.fillWaiting.set(topic, next);
    this.pending.set(topic, next.catch(() => undefined));
    return next;
  }

  private async onMessage(message: Message): Promise<void> {
    if (message.topic === this.stationsTopic && this.feedHandler) {
      // Only the gateway publishes its feed; anyone else's message there is dropped unread (a
      // bundle could otherwise make the wallet check many signatures for one message).
      if (message.type !== 'signed' || message.from.toString() !== this.gatewayPeer) return;
      const data = message.data;
      // One bundle after the other; one that fails (a request of its gap fill) does not stop the next.
      this.feedQueue = this.feedQueue.then(() => this.onBundle(data)).catch(() => undefined);
      return;
    }
    if (!this.handlers.has(message.topic)) return;
    const envelope = await open(message.data, { domain: DOMAIN.event, signer: this.gatewayKey }).catch(() => undefined);
    if (!envelope || envelope.topic !== message.topic) return;
    await this.take(message.topic, envelope, message.data);
  }

  /** A stations feed message: each event in it as if it had come on its own station topic. */
  private async onBundle(data: Uint8Array): Promise<void> {
    let envelopes: Uint8Array[];
    try {
      envelopes = bundleCodec.decode(data).envelopes;
    } catch {
      return; // Not a bundle: anyone can publish on a gossipsub topic.
    }
    for (const bytes of envelopes) {
      const envelope = await open(bytes, { domain: DOMAIN.event, signer: this.gatewayKey }).catch(() => undefined);
      // The gateway bundles only what it signed, for station topics: the rest is not worth reading.
      if (!envelope || !isStationTopic(envelope.topic)) return;
      if (!this.handlers.has(envelope.topic)) {
        // A station new to this wallet: its events start here, with a recent event (an old
        // message of the gateway's, relayed again, would otherwise start it in the past).
        if (Date.now() - envelope.timestampMs > FEED_START_MAX_AGE_MS) continue;
        this.handlers.set(envelope.topic, this.feedHandler!);
        this.lastSeq.set(envelope.topic, envelope.seq - 1);
      }
      // A gap is filled in the background (fillLater): the other stations' events need not wait for it.
      await this.take(envelope.topic, envelope, bytes, false);
    }
  }

  /** A live event: delivered when next in sequence, or fetched with the gap before it (now, or in the background). */
  private async take(topic: string, envelope: SignedEnvelope, bytes: Uint8Array, waitForGap = true): Promise<void> {
    const expected = (this.lastSeq.get(topic) ?? 0) + 1;
    if (envelope.seq < expected) return;
    if (envelope.seq > expected) {
      if (waitForGap) await this.catchUp(topic).catch(() => undefined);
      else this.fillLater(topic);
      return;
    }
    this.accept(topic, envelope, bytes);
  }

  /** An event from the gateway's history: verified, then taken in sequence. */
  private async deliver(topic: string, bytes: Uint8Array): Promise<void> {
    const envelope = await open(bytes, { domain: DOMAIN.event, signer: this.gatewayKey }).catch((err: unknown) => { throw badResponse(err); });
    if (envelope.topic !== topic) throw new ConsumerError('BadEvent', `an event of ${envelope.topic} arrived as ${topic}`);
    // The gateway's archive is the whole log, in order: a number it does not hold was skipped
    // when the event was made (README, "Events"), not lost on the way; waiting for it would stop the topic.
    const last = this.lastSeq.get(topic) ?? 0;
    if (envelope.seq > last + 1) {
      warn(`the gateway skipped ${topic} numbers ${last + 1}-${envelope.seq - 1}`);
      this.lastSeq.set(topic, envelope.seq - 1);
    }
    this.accept(topic, envelope, bytes);
  }

  /**
   * Queues a topic's gap for the background filler: one EventsRequest at a time, at most
   * FILLS_PER_SECOND (a bundle lost on the way leaves a gap in up to 100 stations at once, and
   * the gateway limits each peer's requests: 5 a second by default), the app's own requests
   * beside them. A fill the gateway refused (RateLimited, a timeout) is tried again later.
   */
  private fillLater(topic: string): void {
    this.fillQueue.add(topic);
    if (this.filling) return;
    this.filling = true;
    void (async () => {
      let backoffMs = FILL_RETRY_MS;
      while (!this.closed) {
        const next = this.fillQueue.values().next();
        if (next.done) break;
        this.fillQueue.delete(next.value);
        try {
          await this.catchUp(next.value);
          backoffMs = FILL_RETRY_MS;
          await sleep(1000 / FILLS_PER_SECOND);
        } catch {
          this.fillQueue.add(next.value);
          await sleep(backoffMs);
          backoffMs = Math.min(backoffMs * 2, FILL_RETRY_MAX_MS);
        }
      }
      this.filling = false;
    })();
  }

  /** A verified event of `topic`, handed to its handler when it is the next in sequence. */
  private accept(topic: string, envelope: SignedEnvelope, bytes: Uint8Array): void {
    const last = this.lastSeq.get(topic) ?? 0;
    if (envelope.seq !== last + 1) return;
    this.lastSeq.set(topic, envelope.seq);
    // The app's own handler failing on an event (thrown, or a rejected promise) is reported as a
    // process warning; the event counts as delivered, and the next are delivered as usual.
    const failed = (err: unknown): void => warn(`an event handler failed on ${topic}#${envelope.seq}: ${(err as Error)?.message ?? String(err)}`);
    try {
      const result: unknown = this.handlers.get(topic)?.({ topic, seq: envelope.seq, event: eventCodec.decode(envelope.payload), envelope: bytes });
      if (result instanceof Promise) result.catch(failed);
    } catch (err) {
      failed(err);
    }
  }
}
