import type { GossipSub, Message } from '@libp2p/gossipsub';
import { parseConsumerKey } from '../crypto/consumer-key.ts';
import { durationSoFarS, energySoFarWh } from '../domain/transactions.ts';
import type { Logger } from '../log/logger.ts';
import { codecFor } from '../proto/codec.ts';
import type { Events_Event as Event, Session_ConsumerSession as ConsumerSession } from '../proto/types.ts';
import type { ConsumerApi } from './consumer-api.ts';

/** The one topic existing peaq wallets (CharmEV) use for everything. */
export const PEAQ_TOPIC = 'charmev';

const eventCodec = codecFor('events.Event');

export interface PeaqCompatOptions {
  pubsub: GossipSub;
  api: ConsumerApi;
  /** Signs the hex-decoded identity challenge with the gateway's ed25519 key. */
  sign: (message: Uint8Array) => Uint8Array;
  /** The provider key (hex) wallets name in SERVICE_REQUESTED, in any SS58 form; others are ignored. */
  providerKeyHex: string;
  /** The station peaq wallets charge on: configured, or the only one connected. */
  station: () => string | undefined;
  /** What the energy and time so far cost, in the smallest unit. */
  priceOf: (energyWh: number, durationS: number) => string;
  statusIntervalMs?: number;
  log: Logger;
  now?: () => number;
}

// Stops from peers without a session are worth an operator's eye (seen as an attack: anyone on
// the topic stopped every session), but any peer can send them: at most one line this often.
const IGNORED_STOP_LOG_MS = 10_000;

interface CompatSession {
  /** The peer that requested the session: the only one that may stop it. */
  peer: string;
  consumer: string;
  station: string;
  connectorId: number;
  deposit: bigint;
  timer: NodeJS.Timeout;
}

const ok = { error: false, message: '' };
const failure = (message: string) => ({ error: true, message });

/**
 * peaq compatibility mode: raw events.Event on the `charmev` topic, as existing peaq wallets
 * send and expect them. Those events carry no signature of the consumer; what binds a
 * session is the gossipsub author (strict signing): only the peer that requested a session
 * can stop it. Anyone on the topic can still request a session for any consumer address
 * (it is paid from that consumer's deposit), which is why this mode is off unless configured.
 */
export class PeaqCompat {
  private readonly opts: PeaqCompatOptions;
  private readonly sessions = new Map<string, CompatSession>();
  private readonly ignoredStops = { loggedAt: Number.NEGATIVE_INFINITY, since: 0 };
  private readonly onMessage = (evt: CustomEvent<Message>): void => {
    const m = evt.detail;
    // With strict signing every message names its author; an unsigned one is nobody's.
    if (m.topic === PEAQ_TOPIC && m.type === 'signed') void this.handle(m.data, m.from.toString());
  };

  constructor(opts: PeaqCompatOptions) {
    this.opts = opts;
    opts.pubsub.subscribe(PEAQ_TOPIC);
    opts.pubsub.addEventListener('message', this.onMessage);
  }

  stop(): void {
    for (const s of this.sessions.values()) clearInterval(s.timer);
    this.sessions.clear();
    this.opts.pubsub.removeEventListener('message', this.onMessage);
    this.opts.pubsub.unsubscribe(PEAQ_TOPIC);
  }

  /** The session's payouts are approved on chain: tell the wallet what to approve (peaq's last step). */
  serviceDelivered(session: ConsumerSession): void {
    const st = session.settlement;
    if (!st) return;
    void this.publish({
      eventId: 'SERVICE_DELIVERED',
      serviceDeliveredData: {
        consumer: session.consumerPublicKey, provider: st.provider,
        ...(st.refundInfo ? { refundInfo: st.refundInfo } : {}), ...(st.spentInfo ? { spentInfo: st.spentInfo } : {}),
      },
    });
  }

  /** A session ended on the station side (EV unplugged, local stop): tell the wallet. */
  sessionEnded(consumerKey: string): void {
    const hex = this.hexOf(consumerKey);
    const session = hex ? this.sessions.get(hex) : undefined;
    if (!session || !hex) return;
    clearInterval(session.timer);
    this.sessions.delete(hex);
    void this.publish({ eventId: 'STOP_CHARGE_RESPONSE', stopChargeRespData: { resp: ok } });
  }

  private hexOf(key: string): string | undefined {
    try {
      return parseConsumerKey(key).hex;
    } catch {
      return undefined;
    }
  }

  private async publish(event: Event, bytes: Uint8Array = eventCodec.encode(event)): Promise<void> {
    try {
      await this.opts.pubsub.publish(PEAQ_TOPIC, bytes);
    } catch (err) {
      this.opts.log.warn('could not publish a peaq event', { eventId: event.eventId, err });
    }
  }

  /**
   * SERVICE_REQUEST_ACK for both kinds of reader. The two data fields share a oneof, which
   * holds one member, so the bytes are joined by hand (protobuf merges concatenated
   * messages): field 3 first, then field 16. A reader that knows field 16 (the peaq wallet)
   * takes the last member of the oneof, field 16; an older one skips 16 and reads 3.
   */
  private async ack(resp: { error: boolean; message: string }): Promise<void> {
    const old = eventCodec.encode({ eventId: 'SERVICE_REQUEST_ACK', serviceAckData: { resp } });
    const current = eventCodec.encode({ eventId: 'CHARGING_STATUS', serviceRequestedAckData: { resp } });
    await this.publish({ eventId: 'SERVICE_REQUEST_ACK', serviceRequestedAckData: { resp } }, Buffer.concat([old, current]));
  }

  private async handle(data: Uint8Array, peer: string): Promise<void> {
    let event: Event;
    try {
      event = eventCodec.decode(data);
    } catch {
      this.opts.log.debug('ignored an undecodable message on charmev');
      return;
    }
    // Readers dispatch on event_id; an event we send ourselves is echoed by no one (emitSelf off).
    switch (event.eventId) {
      case 'IDENTITY_CHALLENGE':
        return this.answerChallenge(event.identityChallengeData?.plainData ?? '');
      case 'SERVICE_REQUESTED':
        return this.startService(event, peer);
      case 'STOP_CHARGE_REQUEST':
        return this.stopService(peer);
      default:
    }
  }

  private async answerChallenge(plainHex: string): Promise<void> {
    if (!/^([0-9a-fA-F]{2})+$/.test(plainHex)) {
      await this.publish({ eventId: 'IDENTITY_RESPONSE', identityResponseData: { resp: failure('the challenge must be hex'), signature: '' } });
      return;
    }
    const signature = Buffer.from(this.opts.sign(Buffer.from(plainHex, 'hex'))).toString('hex');
    await this.publish({ eventId: 'IDENTITY_RESPONSE', identityResponseData: { resp: ok, signature } });
  }

  private async startService(event: Event, peer: string): Promise<void> {
    const d = event.serviceRequestedData;
    if (!d) return;
    if (d.provider && this.hexOf(d.provider) !== this.opts.providerKeyHex) {
      this.opts.log.debug('SERVICE_REQUESTED for another provider', { provider: d.provider });
      return;
    }
    const station = this.opts.station();
    const ack = (resp: { error: boolean; message: string }) => this.ack(resp);
    if (!station) return ack(failure('this provider has no station ready for peaq wallets'));
    const hex = this.hexOf(d.consumer);
    if (!hex) return ack(failure('consumer is not a valid address'));
    if (!/^\d{1,39}$/.test(d.tokenDeposited) || BigInt(d.tokenDeposited) === 0n) {
      return ack(failure('token_deposited must be the deposit in the smallest unit (a positive integer)'));
    }
    if (this.sessions.has(hex)) return ack(failure('a session for this consumer is already running'));
    const connectorId = d.connectorId || 1;
    const deposit = BigInt(d.tokenDeposited);
    try {
      // The claimed deposit is the session's budget: reserved from the deposit ledger, so a
      // claim above what the multisig really holds (and has not promised) is refused.
      await this.opts.api.authorize({ station, consumerKey: d.consumer, budget: deposit });
      await this.opts.api.start({ station, connectorId, consumerKey: d.consumer, claim: undefined });
    } catch (err) {
      return ack(failure((err as Error).message));
    }
    const timer = setInterval(() => { void this.reportStatus(hex); }, this.opts.statusIntervalMs ?? 1000);
    this.sessions.set(hex, { peer, consumer: d.consumer, station, connectorId, deposit, timer });
    await ack(ok);
  }

  private async reportStatus(hex: string): Promise<void> {
    const s = this.sessions.get(hex);
    if (!s) return;
    const status = await this.opts.api.status({ station: s.station, consumerKey: s.consumer }).catch(() => undefined);
    const tx = status?.transaction;
    if (!tx || status.session.state !== 'charging') return;
    const energyWh = energySoFarWh(tx);
    const durationS = durationSoFarS(tx);
    const spent = BigInt(this.opts.priceOf(energyWh, durationS));
    const progress = s.deposit > 0n ? Math.min(100, Number((spent * 10_000n) / s.deposit) / 100) : 0;
    await this.publish({
      eventId: 'CHARGING_STATUS',
      chargingStatusData: { progress, chargingPeriod: String(durationS), energyConsumption: (energyWh / 1000).toFixed(3), tokenSpent: spent.toString() },
    });
  }

  private noteIgnoredStop(peer: string): void {
    const now = this.opts.now?.() ?? Date.now();
    if (now - this.ignoredStops.loggedAt < IGNORED_STOP_LOG_MS) {
      this.ignoredStops.since++;
      this.opts.log.debug('STOP_CHARGE_REQUEST ignored: this peer requested no session', { peer });
      return;
    }
    this.opts.log.info('STOP_CHARGE_REQUEST ignored: this peer requested no session', { peer, alsoIgnoredSinceLastLine: this.ignoredStops.since });
    this.ignoredStops.loggedAt = now;
    this.ignoredStops.since = 0;
  }

  private async stopService(peer: string): Promise<void> {
    // peaq's STOP_CHARGE_REQUEST names no consumer: it stops the session that this peer
    // requested, and nobody else's.
    const own = [...this.sessions].filter(([, s]) => s.peer === peer);
    if (!own.length) {
      this.noteIgnoredStop(peer);
      return;
    }
    for (const [hex, s] of own) {
      clearInterval(s.timer);
      this.sessions.delete(hex);
      try {
        await this.opts.api.stop({ station: s.station, connectorId: s.connectorId, consumerKey: s.consumer, claim: undefined });
        await this.publish({ eventId: 'STOP_CHARGE_RESPONSE', stopChargeRespData: { resp: ok } });
      } catch (err) {
        await this.publish({ eventId: 'STOP_CHARGE_RESPONSE', stopChargeRespData: { resp: failure((err as Error).message) } });
      }
    }
  }
}
