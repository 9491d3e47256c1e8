import { codecFor } from '../proto/codec.ts';
import type { FirmwareImage, FirmwareRollout } from '../domain/firmware.ts';
import type { FirmwareRecords } from '../domain/ports.ts';
import type { LevelDatabase } from './level-database.ts';
import { keys } from './keys.ts';

const imageCodec = codecFor('store.FirmwareImage');
const rolloutCodec = codecFor('store.FirmwareRollout');

/** Firmware images (by sha256) and rollouts (by id). */
export class LevelFirmwareRecords implements FirmwareRecords {
  private readonly db: LevelDatabase;

  constructor(db: LevelDatabase) {
    this.db = db;
  }

  async images(): Promise<FirmwareImage[]> {
    const out: FirmwareImage[] = [];
    for await (const value of this.db.values(keys.firmwareRange)) out.push(imageCodec.decode(value));
    return out;
  }

  async image(id: string): Promise<FirmwareImage | undefined> {
    const value = await this.db.get(keys.firmware(id));
    return value ? imageCodec.decode(value) : undefined;
  }

  async putImage(image: FirmwareImage): Promise<void> {
    await this.db.write([{ type: 'put', key: keys.firmware(image.id), value: imageCodec.encode(image) }]);
  }

  async removeImage(id: string): Promise<void> {
    await this.db.write([{ type: 'del', key: keys.firmware(id) }]);
  }

  async rollouts(): Promise<FirmwareRollout[]> {
    const out: FirmwareRollout[] = [];
    for await (const value of this.db.values(keys.rolloutRange)) out.push(rolloutCodec.decode(value));
    return out;
  }

  async putRollout(rollout: FirmwareRollout): Promise<void> {
    await this.db.write([{ type: 'put', key: keys.rollout(rollout.id), value: rolloutCodec.encode(rollout) }]);
  }
}
