import { codecFor } from '../proto/codec.ts';
import type { AuditEntry, AuditRecords } from '../domain/ports.ts';
import type { LevelDatabase } from './level-database.ts';
import { keys } from './keys.ts';

const auditCodec = codecFor('store.AuditEntry');

/**
 * The admin API's audit log: the newest `keep` entries, oldest dropped as new ones come. Keyed
 * by a sequence number that continues after a restart (not by the clock, which may step back).
 */
export class LevelAuditRecords implements AuditRecords {
  private readonly db: LevelDatabase;
  private readonly keep: number;
  private next: number | undefined;
  private size: number | undefined;
  // Appends one at a time: each counts what the one before left.
  private last: Promise<void> = Promise.resolve();

  constructor(db: LevelDatabase, keep: number) {
    this.db = db;
    this.keep = keep;
  }

  append(entry: AuditEntry): Promise<void> {
    const done = this.last.then(() => this.write(entry));
    this.last = done.catch(() => {});
    return done;
  }

  private async write(entry: AuditEntry): Promise<void> {
    this.size ??= await this.count();
    if (this.next === undefined) {
      this.next = 0;
      for await (const key of this.db.keys({ ...keys.auditRange, reverse: true, limit: 1 })) this.next = keys.auditSeq(key) + 1;
    }
    const drop: string[] = [];
    if (this.size + 1 > this.keep) {
      for await (const key of this.db.keys({ ...keys.auditRange, limit: this.size + 1 - this.keep })) drop.push(key);
    }
    await this.db.write([
      ...drop.map((key) => ({ type: 'del' as const, key })),
      { type: 'put', key: keys.audit(this.next++), value: auditCodec.encode(entry) },
    ]);
    this.size += 1 - drop.length;
  }

  async page(limit: number, before?: string): Promise<{ items: AuditEntry[]; next?: string }> {
    const items: AuditEntry[] = [];
    let last: string | undefined;
    let more = false;
    for await (const [key, value] of this.db.entries({ ...keys.auditRange, ...(before ? { lt: before } : {}), reverse: true, limit: limit + 1 })) {
      if (items.length === limit) {
        more = true;
        break;
      }
      items.push(auditCodec.decode(value));
      last = key;
    }
    return { items, ...(more && last ? { next: last } : {}) };
  }

  private async count(): Promise<number> {
    let n = 0;
    for await (const _key of this.db.keys(keys.auditRange)) n++;
    return n;
  }
}
