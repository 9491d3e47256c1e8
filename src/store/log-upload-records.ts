import { codecFor } from '../proto/codec.ts';
import type { LogUpload } from '../domain/log-uploads.ts';
import type { LogUploadRecords } from '../domain/ports.ts';
import type { LevelDatabase } from './level-database.ts';
import { keys } from './keys.ts';

const uploadCodec = codecFor('store.LogUpload');

/** The logs asked of each station, by request id. */
export class LevelLogUploadRecords implements LogUploadRecords {
  private readonly db: LevelDatabase;

  constructor(db: LevelDatabase) {
    this.db = db;
  }

  async list(identity: string): Promise<LogUpload[]> {
    const out: LogUpload[] = [];
    for await (const value of this.db.values(keys.logUploadRange(identity))) out.push(uploadCodec.decode(value));
    return out;
  }

  async get(identity: string, requestId: number): Promise<LogUpload | undefined> {
    const value = await this.db.get(keys.logUpload(identity, requestId));
    return value ? uploadCodec.decode(value) : undefined;
  }

  async put(upload: LogUpload): Promise<void> {
    await this.db.write([{ type: 'put', key: keys.logUpload(upload.identity, upload.requestId), value: uploadCodec.encode(upload) }]);
  }

  async remove(identity: string, requestIds: number[]): Promise<void> {
    await this.db.write(requestIds.map((id) => ({ type: 'del' as const, key: keys.logUpload(identity, id) })));
  }
}
