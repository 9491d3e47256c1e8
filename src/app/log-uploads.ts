import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { ChargePointService } from '../domain/charge-point-service.ts';
import { UPLOAD_URL_TTL_MS, applyLogStatus, filesOverBudget, safeFileName, uploadOpen, type LogType, type LogUpload } from '../domain/log-uploads.ts';
import { FileTooLargeError, type FileBlobs, type LogUploadRecords } from '../domain/ports.ts';
import type { Logger } from '../log/logger.ts';
import { BridgeError, stationFailure } from './bridge-error.ts';
import { FileTransferError, type FileUrls } from './file-transfer.ts';
import { KeyedQueue } from '../domain/keyed-queue.ts';
import { knownStation, onlineStation } from './online-station.ts';
import type { StationLinks } from './station-link.ts';

export interface LogUploadsOptions {
  service: ChargePointService;
  commands: StationLinks;
  records: LogUploadRecords;
  blobs: FileBlobs;
  urls: FileUrls;
  /** One file at most this large. */
  maxFileBytes: number;
  /** A station's files together at most this large: the oldest go. */
  bytesPerStation: number;
  now: () => Date;
  log: Logger;
}

/** A request as the operator sees it (the token's hash stays inside). */
export type LogUploadView = Omit<LogUpload, 'tokenHash'>;

// Requests kept per station (with their files); the oldest go.
const REQUESTS_KEPT = 50;
// An identity may hold any character but ':' (a '/' too, percent-encoded in its URL): here it is
// one path step that is never '.' or '..' (seen: a station named '../firmware' took the images
// with it when it was deleted).
const folderOf = (identity: string): string => `logs/${encodeURIComponent(identity).replace(/\./g, '%2E')}`;
const fileOf = (identity: string, requestId: number): string => `${folderOf(identity)}/${requestId}`;
const digest = (token: string): Buffer => createHash('sha256').update(token).digest();

export function viewOf({ tokenHash: _t, ...rest }: LogUpload): LogUploadView {
  return rest;
}

/**
 * Logs from stations: the operator asks (1.6 GetDiagnostics or GetLog, 2.0.1 GetLog) with a
 * one-time URL on the node's file routes; the station uploads there; the status notifications
 * follow; the file is kept within the station's budget and downloaded through the admin API.
 */
export class LogUploads {
  private readonly opts: LogUploadsOptions;
  // Uploads being received now (one per request at a time).
  private readonly receiving = new Set<string>();
  // A station's records change one at a time: a status notification and the end of an upload
  // often arrive together (seen: a received file's record lost, or its status).
  private readonly records = new KeyedQueue();

  constructor(opts: LogUploadsOptions) {
    this.opts = opts;
  }

  /** Asks the station for a log; what it answered is in the returned status. */
  async request(identity: string, r: { logType?: LogType; from?: string; to?: string } = {}): Promise<LogUploadView & { stationFileName?: string }> {
    const state = await onlineStation(this.opts.service, this.opts.commands, identity);
    const logType = r.logType ?? (state.ocppVersion === 'ocpp1.6' ? 'Diagnostics' : 'DiagnosticsLog');
    const requestId = randomInt(1, 2 ** 31 - 1);
    const token = randomBytes(24).toString('base64url');
    const location = this.opts.urls(identity, `/logs/${encodeURIComponent(identity)}/${requestId}/${token}`);
    if (!location) throw new BridgeError('Conflict', `no address is known where ${identity} can upload files: set files.publicUrl`);
    const now = this.opts.now();
    const upload: LogUpload = {
      identity, requestId, logType, tokenHash: digest(token).toString('hex'), requestedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + UPLOAD_URL_TTL_MS).toISOString(), status: 'Requested', statusAt: now.toISOString(),
      fileName: '', size: 0, sha256: '', receivedAt: '',
    };
    // Kept before asking: a station may upload before it answers.
    await this.keep(upload);
    let answer: { status: string; fileName?: string };
    try {
      answer = await this.opts.commands.for(identity).requestLog({ requestId, logType, location, ...(r.from ? { from: r.from } : {}), ...(r.to ? { to: r.to } : {}) });
    } catch (err) {
      await this.setStatus(upload, 'Failed');
      throw stationFailure(err, logType === 'Diagnostics' ? 'GetDiagnostics' : 'GetLog');
    }
    await this.setStatus(upload, answer.status);
    this.opts.log.info('log requested', { station: identity, requestId, logType, answer: answer.status });
    return { ...viewOf(upload), ...(answer.fileName ? { stationFileName: answer.fileName } : {}) };
  }

  /** A station's LogStatusNotification (or 1.6 DiagnosticsStatusNotification, which names no request: the newest one). */
  async statusReported(identity: string, s: { status: string; requestId?: number; diagnostics: boolean }): Promise<void> {
    await this.records.run(identity, async () => {
      const all = await this.opts.records.list(identity);
      const upload = s.requestId !== undefined
        ? all.find((u) => u.requestId === s.requestId)
        : all.filter((u) => (u.logType === 'Diagnostics') === s.diagnostics).sort((a, b) => a.requestedAt.localeCompare(b.requestedAt)).at(-1);
      if (upload && applyLogStatus(upload, s.status, this.opts.now())) await this.opts.records.put(upload);
    });
  }

  /**
   * A station's upload to its one-time URL: kept when the token is the request's and the URL is
   * still open; the station's oldest files go when its budget would be exceeded.
   */
  async receive(identity: string, requestId: number, token: string, read: () => Promise<{ fileName?: string | undefined; source: AsyncIterable<Uint8Array> }>): Promise<LogUploadView> {
    const upload = await this.openUpload(identity, requestId, token);
    const key = `${identity}\u0000${requestId}`;
    // One upload per link at a time, decided before its body is read (a form is read whole).
    if (this.receiving.has(key)) throw new FileTransferError('Conflict', 'a file is being uploaded to this link now');
    this.receiving.add(key);
    try {
      const { fileName, source } = await read();
      let file;
      try {
        file = await this.opts.blobs.write(fileOf(identity, requestId), source, this.opts.maxFileBytes);
      } catch (err) {
        if (err instanceof FileTooLargeError) throw new FileTransferError('TooLarge', `the file is larger than ${this.opts.maxFileBytes} bytes (files.maxLogBytes)`);
        throw err;
      }
      const received = await this.records.run(identity, async () => {
        const others = (await this.opts.records.list(identity)).filter((u) => u.requestId !== requestId);
        const dropped = filesOverBudget(others, file.size, this.opts.bytesPerStation);
        for (const old of dropped) await this.opts.blobs.remove(fileOf(identity, old.requestId));
        await this.opts.records.remove(identity, dropped.map((u) => u.requestId));
        // Read again: a status notification may have come during the upload.
        const current: LogUpload = {
          ...(await this.opts.records.get(identity, requestId) ?? upload),
          fileName: safeFileName(fileName, `${identity}-${requestId}.log`), size: file.size, sha256: file.sha256, receivedAt: this.opts.now().toISOString(),
        };
        await this.opts.records.put(current);
        return current;
      });
      this.opts.log.info('log received', { station: identity, requestId, bytes: file.size });
      return viewOf(received);
    } finally {
      this.receiving.delete(key);
    }
  }

  /** The request a one-time link names, while it still takes a file (refused otherwise): checked before a body is read. */
  async openUpload(identity: string, requestId: number, token: string): Promise<LogUpload> {
    const upload = await this.opts.records.get(identity, requestId);
    // An unknown request and a wrong token look the same to the sender.
    if (!upload || !timingSafeEqual(Buffer.from(upload.tokenHash, 'hex'), digest(token))) throw new FileTransferError('NotFound', 'no such upload link');
    if (!uploadOpen(upload, this.opts.now())) throw new FileTransferError('LinkExpired', upload.receivedAt ? 'a file was uploaded to this link already' : 'this upload link has expired');
    return upload;
  }

  /** A station's requests, newest first. */
  async list(identity: string): Promise<LogUploadView[]> {
    await knownStation(this.opts.service, identity);
    return (await this.opts.records.list(identity)).sort((a, b) => b.requestedAt.localeCompare(a.requestedAt)).map(viewOf);
  }

  /** The file a request brought. */
  async file(identity: string, requestId: number): Promise<{ upload: LogUploadView; size: number; stream: AsyncIterable<Uint8Array> }> {
    const upload = await this.opts.records.get(identity, requestId);
    if (!upload) throw new FileTransferError('NotFound', `no log request ${requestId} for ${identity}`);
    const file = upload.receivedAt ? await this.opts.blobs.read(fileOf(identity, requestId)) : undefined;
    if (!file) throw new FileTransferError('NotFound', `${identity} has not uploaded the file of request ${requestId} (status: ${upload.status})`);
    return { upload: viewOf(upload), ...file };
  }

  /** A deleted station's files go with it (its records go with the station's). */
  async forget(identity: string): Promise<void> {
    await this.opts.blobs.remove(folderOf(identity));
  }

  private async keep(upload: LogUpload): Promise<void> {
    await this.records.run(upload.identity, async () => {
      const all = await this.opts.records.list(upload.identity);
      // The oldest go, but not one whose file is arriving now.
      const old = all.sort((a, b) => a.requestedAt.localeCompare(b.requestedAt)).slice(0, Math.max(0, all.length + 1 - REQUESTS_KEPT))
        .filter((u) => !this.receiving.has(`${u.identity}\u0000${u.requestId}`));
      for (const u of old) await this.opts.blobs.remove(fileOf(u.identity, u.requestId));
      await this.opts.records.remove(upload.identity, old.map((u) => u.requestId));
      await this.opts.records.put(upload);
    });
  }

  private async setStatus(upload: LogUpload, status: string): Promise<void> {
    await this.records.run(upload.identity, async () => {
      // A status notification may have come first: it is newer than the answer.
      const current = await this.opts.records.get(upload.identity, upload.requestId) ?? upload;
      if (current.status === 'Requested') {
        current.status = status;
        current.statusAt = this.opts.now().toISOString();
        await this.opts.records.put(current);
      }
      Object.assign(upload, current);
    });
  }
}
