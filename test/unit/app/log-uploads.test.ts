// The log-upload use case with a real folder for files and a storage double that takes its time
// (as LevelDB can under load), so a station's status notification and the end of its upload
// interleave. What it proves: neither the received file nor the status is lost.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { LogUploads } from '../../../src/app/log-uploads.ts';
import type { StationLink, StationLinks } from '../../../src/app/station-link.ts';
import { ChargePointService } from '../../../src/domain/charge-point-service.ts';
import type { LogUpload } from '../../../src/domain/log-uploads.ts';
import type { LogUploadRecords } from '../../../src/domain/ports.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { FolderFileBlobs } from '../../../src/store/file-blobs.ts';
import { MemoryStoreDouble } from '../../helpers/memory-store.ts';

const TARIFF = { pricePerKwh: '0', pricePerMinute: '0', sessionFee: '0', currency: 'PEAQ', decimals: 18 };
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, Math.random() * 3));

/** Log-upload records in memory, each read and write a little late. */
class SlowRecords implements LogUploadRecords {
  readonly rows = new Map<string, LogUpload>();
  private key = (identity: string, id: number): string => `${identity}:${id}`;
  async list(identity: string): Promise<LogUpload[]> {
    await tick();
    return [...this.rows.values()].filter((u) => u.identity === identity).map((u) => ({ ...u }));
  }
  async get(identity: string, requestId: number): Promise<LogUpload | undefined> {
    await tick();
    const u = this.rows.get(this.key(identity, requestId));
    return u && { ...u };
  }
  async put(upload: LogUpload): Promise<void> {
    await tick();
    this.rows.set(this.key(upload.identity, upload.requestId), { ...upload });
  }
  async remove(identity: string, requestIds: number[]): Promise<void> {
    await tick();
    for (const id of requestIds) this.rows.delete(this.key(identity, id));
  }
}

describe('log uploads (app layer)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cgw-logs-unit-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the file and the status when a status notification arrives as the upload ends', async () => {
    const store = new MemoryStoreDouble();
    const service = new ChargePointService({ repository: store, authorization: { acceptUnknownIdTags: false }, tariff: TARIFF, now: () => new Date() });
    await service.update('LOG-1', ({ state }) => { state.ocppVersion = 'ocpp2.0.1'; });
    const locations: string[] = [];
    const link = { requestLog: async (r: { location: string }) => { locations.push(r.location); return { status: 'Accepted' }; } } as unknown as StationLink;
    const links: StationLinks = { isConnected: () => true, for: () => link };
    const records = new SlowRecords();
    const logs = new LogUploads({
      service, commands: links, records, blobs: new FolderFileBlobs(dir), urls: (_i, path) => `http://node${path}`,
      maxFileBytes: 10_000, bytesPerStation: 1_000_000, now: () => new Date(), log: silentLogger,
    });
    for (let i = 0; i < 40; i++) {
      const asked = await logs.request('LOG-1', { logType: 'SecurityLog' });
      const token = locations.at(-1)!.split('/').at(-1)!;
      await Promise.all([
        logs.receive('LOG-1', asked.requestId, token, async () => ({ fileName: 'security.log', source: Readable.from([Buffer.alloc(100, i)]) })),
        // The station's notification comes at some moment while the upload is being stored.
        new Promise((r) => setTimeout(r, Math.random() * 12)).then(() => logs.statusReported('LOG-1', { status: 'Uploaded', requestId: asked.requestId, diagnostics: false })),
      ]);
    }
    const all = [...records.rows.values()];
    assert.equal(all.length, 40);
    assert.deepEqual(all.filter((u) => !u.receivedAt || u.status !== 'Uploaded').map((u) => [u.requestId, u.status, u.receivedAt]), [], 'every file and every status kept');
  });
});
