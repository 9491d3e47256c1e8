import { codecFor } from '../proto/codec.ts';
import type { Session_ConsumerSession as ConsumerSession } from '../proto/types.ts';
import type { ChangeRecord } from '../domain/change.ts';
import type { SessionRecords } from '../domain/ports.ts';
import { type BatchOp, type LevelDatabase, decodeText, encodeText } from './level-database.ts';
import { keys } from './keys.ts';

const sessionCodec = codecFor('session.ConsumerSession');

/**
 * Consumers' finished sessions (stopped or failed, with their receipts), by station and by
 * consumer. They outlive the station's record: they are the consumers'.
 */
export class LevelSessionRecords implements SessionRecords {
  private readonly db: LevelDatabase;

  constructor(db: LevelDatabase) {
    this.db = db;
  }

  async load(identity: string, sessionId: string): Promise<ConsumerSession | undefined> {
    const value = await this.db.get(keys.session(identity, sessionId));
    return value ? sessionCodec.decode(value) : undefined;
  }

  async ofConsumer(keyHex: string): Promise<ConsumerSession[]> {
    const out: ConsumerSession[] = [];
    for await (const [key, value] of this.db.entries(keys.consumerSessionRange(keyHex))) {
      const session = await this.load(decodeText(value), key.slice(key.lastIndexOf(':') + 1));
      if (session) out.push(session);
    }
    return out;
  }

  async ofStation(identity: string): Promise<ConsumerSession[]> {
    const out: ConsumerSession[] = [];
    for await (const value of this.db.values(keys.sessionRange(identity))) out.push(sessionCodec.decode(value));
    return out;
  }

  opsFor(change: ChangeRecord): BatchOp[] {
    const ops: BatchOp[] = [];
    for (const session of change.finishedSessions) {
      ops.push({ type: 'put', key: keys.session(change.identity, session.id), value: sessionCodec.encode(session) });
      ops.push({ type: 'put', key: keys.consumerSession(session.consumerKeyHex, session.createdAt, session.id), value: encodeText(change.identity) });
    }
    return ops;
  }
}
