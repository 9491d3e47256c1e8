import { codecFor } from '../proto/codec.ts';
import type { TagRecords } from '../domain/ports.ts';
import type { OperatorTag } from '../domain/tags.ts';
import type { LevelDatabase } from './level-database.ts';
import { keys } from './keys.ts';

const tagCodec = codecFor('store.OperatorTag');

/** The operator's cards (RFID idTags), by idTag. */
export class LevelTagRecords implements TagRecords {
  private readonly db: LevelDatabase;

  constructor(db: LevelDatabase) {
    this.db = db;
  }

  async all(): Promise<OperatorTag[]> {
    const out: OperatorTag[] = [];
    for await (const value of this.db.values(keys.tagRange)) out.push(tagCodec.decode(value));
    return out;
  }

  async update(put: OperatorTag[], remove: string[]): Promise<void> {
    await this.db.write([
      ...remove.map((idTag) => ({ type: 'del' as const, key: keys.tag(idTag) })),
      ...put.map((t) => ({ type: 'put' as const, key: keys.tag(t.idTag), value: tagCodec.encode(t) })),
    ]);
  }
}
