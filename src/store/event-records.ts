import { codecFor } from '../proto/codec.ts';
import type { ChangeRecord } from '../domain/change.ts';
import { type BatchOp, type LevelDatabase, decodeText, encodeText } from './level-database.ts';
import { keys } from './keys.ts';

const outboxCodec = codecFor('store.OutboxEntry');

/**
 * Signed events: the outbox of those not yet published (written in the batch of the change
 * that caused them, when a peer follows their topic), each topic's last sequence number, and
 * every event kept for subscribers catching up.
 */
export class LevelEventRecords {
  private readonly db: LevelDatabase;
  private nextOutboxId = 0;

  private constructor(db: LevelDatabase) {
    this.db = db;
  }

  static async open(db: LevelDatabase): Promise<LevelEventRecords> {
    const records = new LevelEventRecords(db);
    // Outbox ids continue after the last one stored, also after storage was reopened.
    await db.whenOpened(async () => {
      records.nextOutboxId = 0;
      for await (const key of db.keys({ ...keys.outboxRange, reverse: true, limit: 1 })) records.nextOutboxId = keys.outboxId(key) + 1;
    });
    return records;
  }

  /** The last sequence number of every topic (to continue numbering after a restart). */
  async topicSeqs(): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for await (const [key, value] of this.db.entries(keys.topicSeqRange)) out.set(key.slice(3), Number(decodeText(value)));
    return out;
  }

  /** Events not yet published, oldest first. */
  async outboxEntries(limit: number): Promise<{ id: string; topic: string; seq: number; envelope: Uint8Array }[]> {
    const out: { id: string; topic: string; seq: number; envelope: Uint8Array }[] = [];
    for await (const [key, value] of this.db.entries({ ...keys.outboxRange, limit })) {
      const entry = outboxCodec.decode(value);
      out.push({ id: key, topic: entry.topic, seq: entry.seq, envelope: entry.envelope });
    }
    return out;
  }

  /** Marks events as published. */
  async removeOutbox(ids: string[]): Promise<void> {
    await this.db.write(ids.map((key) => ({ type: 'del' as const, key })));
  }

  /** How many events wait to be published, counted up to `cap` (a backlog gauge). */
  async outboxSize(cap = 100_000): Promise<number> {
    let n = 0;
    for await (const _key of this.db.keys({ ...keys.outboxRange, limit: cap })) n++;
    return n;
  }

  /** Published events of a topic after a sequence number (for a subscriber catching up). */
  async eventsAfter(topic: string, afterSeq: number, limit: number): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    for await (const value of this.db.values({ ...keys.eventRange(topic, afterSeq), limit })) out.push(value);
    return out;
  }

  opsFor(change: ChangeRecord): BatchOp[] {
    const ops: BatchOp[] = [];
    for (const event of change.outbox) {
      if (event.followed) ops.push({ type: 'put', key: keys.outbox(this.nextOutboxId++), value: outboxCodec.encode(event) });
      // A station's own topic is numbered in the station's state, written by the same change.
      if (event.station !== change.identity) ops.push({ type: 'put', key: keys.topicSeq(event.topic), value: encodeText(String(event.seq)) });
      ops.push({ type: 'put', key: keys.event(event.topic, event.seq), value: event.envelope });
    }
    return ops;
  }
}
