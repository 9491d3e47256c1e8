import { randomBytes } from 'node:crypto';
import { TurnBatch } from '../turn-batch.ts';
import { codecFor } from '../proto/codec.ts';
import type { Events_Event as Event } from '../proto/types.ts';
import { energySoFarWh } from '../domain/transactions.ts';
import type { OutboxRecord } from '../domain/change.ts';
import type { DomainEvent } from '../domain/events.ts';
import { DOMAIN, sealBatch, type SealOptions, type Signer } from './envelope.ts';
import { consumerTopic, stationTopic } from './protocol.ts';


const eventCodec = codecFor('events.Event');

const ok = (message: string) => ({ error: false, message });

/** The peaq events.Event (and its topic) for each change. */
export function toWireEvents(e: DomainEvent): { topic: string; event: Event; station?: string }[] {
  switch (e.type) {
    case 'booted':
      return [{ topic: stationTopic(e.identity), station: e.identity, event: { eventId: 'BOOT_NOTIFICATION_REQUEST', ...(e.state.boot ? { bootNotificationRequestData: e.state.boot } : {}) } }];
    case 'stationChanged':
      return [{ topic: stationTopic(e.identity), station: e.identity, event: { eventId: 'NOTIFY_CHARGE_POINT_STATE_CHANGE', notifyChargePointStateChangeData: { chargePointClientId: e.identity } } }];
    case 'progress': {
      const p = e.transaction.progress;
      return [{
        topic: consumerTopic(e.session.consumerKeyHex),
        event: {
          eventId: 'EV_CHARGE_STATUS',
          evChargeStatusData: {
            currentOffered: p?.currentOffered ?? 0, currentUnit: 'A', voltageOffered: p?.voltageOffered ?? 0, voltageUnit: 'V',
            energyWh: energySoFarWh(e.transaction),
            station: e.identity, connectorId: e.transaction.connectorId, sessionId: e.session.id, meterTime: e.transaction.lastMeterTime,
          },
        },
      }];
    }
    case 'sessionStarted':
      return [{
        topic: consumerTopic(e.session.consumerKeyHex),
        event: {
          eventId: 'START_TRANSACTION_RESPONSE',
          startTransactionResponseData: { consumerPublicKey: e.session.consumerPublicKey, resp: ok(`transaction ${e.transaction.id} started on ${e.identity} connector ${e.transaction.connectorId}`) },
        },
      }];
    case 'serviceDelivered': {
      const st = e.session.settlement;
      return [{
        topic: consumerTopic(e.session.consumerKeyHex),
        event: {
          eventId: 'SERVICE_DELIVERED',
          serviceDeliveredData: {
            consumer: e.session.consumerPublicKey,
            provider: st?.provider ?? '',
            ...(st?.refundInfo ? { refundInfo: st.refundInfo } : {}),
            ...(st?.spentInfo ? { spentInfo: st.spentInfo } : {}),
          },
        },
      }];
    }
    case 'sessionEnded':
      return [{
        topic: consumerTopic(e.session.consumerKeyHex),
        event: {
          eventId: 'STOP_TRANSACTION_RESPONSE',
          stopTransactionResponseData: {
            consumerPublicKey: e.session.consumerPublicKey,
            transactionInfo: e.transaction,
            resp: ok(`transaction ${e.transaction.id} ended by the ${e.session.stoppedBy}`),
            ...(e.session.receipt ? { receipt: e.session.receipt } : {}),
          },
        },
      }];
  }
}

/**
 * Event nonces: a random prefix drawn once per process and a counter. An event is already
 * unique by (signer, topic, seq); the nonce keeps it unique should the data folder be reset and
 * a sequence number given out again. One CSPRNG call per process instead of one per event (5.8%
 * of the CPU under a stream of status changes).
 */
class EventNonces {
  private readonly nonce = randomBytes(16);
  private counter = 0n;

  next(): Uint8Array {
    this.counter++;
    const out = new Uint8Array(this.nonce);
    new DataView(out.buffer).setBigUint64(8, this.counter);
    return out;
  }
}

/**
 * Turns changes into signed events with per-topic sequence numbers (1, 2, 3, ...). The
 * numbers continue after a restart from the store's counters. The envelope is made once,
 * before the change commits, and published byte for byte (also when replayed after a crash).
 */
export class EventOutbox {
  // The events of every change made in one event-loop turn are signed together (one signature
  // over a hash tree's root, see sealBatch), not one by one: under many busy stations a
  // signature was the largest cost of a status change. Each change still gets its envelopes
  // before it commits.
  private readonly sealer: TurnBatch<SealOptions[], Uint8Array[]>;
  private readonly seqs: Map<string, number>;
  // Numbers of changes that did not commit, above a number still out: given out again once
  // every number above them is released too (see release).
  private readonly released = new Map<string, Set<number>>();
  private readonly now: () => number;
  private readonly nonces = new EventNonces();
  // Until libp2p runs, every event is queued (the publisher decides once it can tell).
  private follows: (topic: string) => boolean = () => true;

  constructor(signer: Signer, seqs: Map<string, number>, now: () => number = Date.now) {
    this.sealer = new TurnBatch(async (changes) => {
      const envelopes = await sealBatch(signer, changes.flat());
      let at = 0;
      return changes.map((c) => envelopes.slice(at, (at += c.length)));
    });
    this.seqs = seqs;
    this.now = now;
  }

  async project(events: DomainEvent[]): Promise<OutboxRecord[]> {
    const projected = events.flatMap(toWireEvents);
    const wire = projected.map(({ topic, event }) => {
      const seq = (this.seqs.get(topic) ?? 0) + 1;
      this.seqs.set(topic, seq);
      return { domain: DOMAIN.event, payload: eventCodec.encode(event), topic, seq, timestampMs: this.now(), nonce: this.nonces.next() };
    });
    if (!wire.length) return [];
    let envelopes: Uint8Array[];
    try {
      envelopes = await this.sealer.add(wire);
    } catch (err) {
      this.release(wire);
      throw err;
    }
    return wire.map((w, i) => {
      const station = projected[i]!.station;
      return { topic: w.topic, seq: w.seq, envelope: envelopes[i]!, followed: this.follows(w.topic), ...(station === undefined ? {} : { station }) };
    });
  }

  /**
   * A change's commit failed (storage refused it, or anything between its events' numbering
   * and its commit): its numbers are given out again, so that a topic's numbers have no gap.
   * Changes may fail in any order (a failed group commit fails all of its changes): a number
   * is taken back once it and every number above it is released. One below a number that did
   * commit cannot be, and stays a gap.
   */
  release(records: readonly { topic: string; seq: number }[]): void {
    for (const { topic, seq } of records) {
      const released = this.released.get(topic) ?? new Set<number>();
      released.add(seq);
      let top = this.seqs.get(topic) ?? 0;
      while (released.delete(top)) top--;
      this.seqs.set(topic, top);
      if (released.size) this.released.set(topic, released);
      else this.released.delete(topic);
    }
  }

  /**
   * Who listens: an event on a topic no connected peer follows is archived only, in its
   * change's batch, instead of being queued, read back and deleted by the publisher (three
   * storage operations per status change of a station nobody watches).
   */
  audience(follows: (topic: string) => boolean): void {
    this.follows = follows;
  }
}
