import { codecFor } from '../proto/codec.ts';
import type { ConfigurationSnapshot } from '../domain/configuration.ts';
import type { ConfigurationRecords } from '../domain/ports.ts';
import type { KeyRange, LevelDatabase } from './level-database.ts';
import { keys } from './keys.ts';

const snapshotCodec = codecFor('store.ConfigurationSnapshot');

/** Each station's configuration snapshots, by the time they were taken. */
export class LevelConfigurationRecords implements ConfigurationRecords {
  private readonly db: LevelDatabase;

  constructor(db: LevelDatabase) {
    this.db = db;
  }

  async latest(identity: string): Promise<ConfigurationSnapshot | undefined> {
    for await (const value of this.db.values({ ...keys.configurationRange(identity), reverse: true, limit: 1 })) return snapshotCodec.decode(value);
    return undefined;
  }

  async snapshot(identity: string, takenAt: string): Promise<ConfigurationSnapshot | undefined> {
    const value = await this.db.get(keys.configuration(identity, takenAt));
    return value ? snapshotCodec.decode(value) : undefined;
  }

  async takenAt(identity: string): Promise<string[]> {
    const out: string[] = [];
    for await (const key of this.db.keys(keys.configurationRange(identity))) out.push(key.slice(keys.configuration(identity, '').length));
    return out;
  }

  async put(identity: string, snapshot: ConfigurationSnapshot, keep: number): Promise<void> {
    // The oldest go, counting the new one: a snapshot older than every kept one is not kept.
    const all = [...new Set([...(await this.takenAt(identity)), snapshot.takenAt])].sort();
    const drop = all.slice(0, Math.max(0, all.length - keep));
    await this.db.write([
      ...(drop.includes(snapshot.takenAt) ? [] : [{ type: 'put' as const, key: keys.configuration(identity, snapshot.takenAt), value: snapshotCodec.encode(snapshot) }]),
      ...drop.map((t) => ({ type: 'del' as const, key: keys.configuration(identity, t) })),
    ]);
  }

  /** The range a station's deletion clears. */
  recordRange(identity: string): KeyRange {
    return keys.configurationRange(identity);
  }
}
