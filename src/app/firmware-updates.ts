import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { ChargePointService } from '../domain/charge-point-service.ts';
import {
  requestFirmwareUpdate, firmwareAnswered, firmwareUnanswered, endRolloutStation, firmwareNameProblem, firmwareOutcome, rolloutNext, updateTimedOut,
  type FirmwareImage, type FirmwareRollout, type FirmwareUpdate,
} from '../domain/firmware.ts';
import { FileTooLargeError, type FileBlobs, type FirmwareRecords } from '../domain/ports.ts';
import type { Logger } from '../log/logger.ts';
import { SerialTask } from '../serial-task.ts';
import { BridgeError, stationFailure } from './bridge-error.ts';
import { FileTransferError, type FileUrls } from './file-transfer.ts';
import { knownStation, onlineStation } from './online-station.ts';
import { StationCallError, type StationLinks } from './station-link.ts';

export interface FirmwareUpdatesOptions {
  service: ChargePointService;
  commands: StationLinks;
  records: FirmwareRecords;
  blobs: FileBlobs;
  urls: FileUrls;
  maxImageBytes: number;
  /** An update that reports no status for this long is failed (for its rollout). */
  updateTimeoutMs: number;
  now: () => Date;
  log: Logger;
}

/** What the operator gives with an image besides its bytes. */
export interface ImageDescription {
  signature?: string;
  signingCertificate?: string;
  note?: string;
}

const imageFile = (id: string): string => `firmware/${id}`;

/**
 * Firmware on the node and on the stations: images uploaded by the operator (kept by their
 * sha256), an update sent to one station in its version, its progress from the station's status
 * notifications (applied to the station's state by the OCPP adapters), and rollouts that update
 * several stations a few at a time.
 */
export class FirmwareUpdates {
  private readonly opts: FirmwareUpdatesOptions;
  private readonly rollouts = new Map<string, FirmwareRollout>();
  private readonly steps: SerialTask;
  private timer: NodeJS.Timeout | undefined;

  constructor(opts: FirmwareUpdatesOptions) {
    this.opts = opts;
    this.steps = new SerialTask(() => this.step(), (err) => opts.log.error('firmware rollout step failed', { err }));
  }

  /** Loads the rollouts and runs those still running (again every `stepIntervalMs`, for timeouts). */
  async start(stepIntervalMs = 30_000): Promise<void> {
    for (const r of await this.opts.records.rollouts()) this.rollouts.set(r.id, r);
    this.steps.request();
    this.timer = setInterval(() => this.steps.request(), stepIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.steps.close();
    await this.steps.current;
  }

  /** The images, newest first. */
  async images(): Promise<FirmwareImage[]> {
    return (await this.opts.records.images()).sort((a, b) => b.uploadedAt.localeCompare(a.uploadedAt));
  }

  async image(id: string): Promise<FirmwareImage> {
    const image = await this.opts.records.image(id.toLowerCase());
    if (!image) throw new FileTransferError('NotFound', `no firmware image ${id}`);
    return image;
  }

  /**
   * Keeps an image: its bytes are checked against `sha256` when given (nothing is kept when they
   * differ). The same bytes uploaded again are the image already kept.
   */
  async upload(name: string, source: AsyncIterable<Uint8Array>, sha256?: string, description: ImageDescription = {}): Promise<{ image: FirmwareImage; created: boolean }> {
    const problem = firmwareNameProblem(name);
    if (problem) throw new FileTransferError('InvalidRequest', problem);
    if (sha256 !== undefined && !/^[0-9a-fA-F]{64}$/.test(sha256)) throw new FileTransferError('InvalidRequest', 'sha256: 64 hex digits');
    const incoming = `firmware/incoming-${randomBytes(8).toString('hex')}`;
    let file;
    try {
      file = await this.opts.blobs.write(incoming, source, this.opts.maxImageBytes);
    } catch (err) {
      if (err instanceof FileTooLargeError) throw new FileTransferError('TooLarge', `the image is larger than ${this.opts.maxImageBytes} bytes (files.maxFirmwareBytes): nothing was kept`);
      throw err;
    }
    if (file.size === 0) {
      await this.opts.blobs.remove(incoming);
      throw new FileTransferError('InvalidRequest', 'the image is empty');
    }
    if (sha256 !== undefined && sha256.toLowerCase() !== file.sha256) {
      await this.opts.blobs.remove(incoming);
      throw new FileTransferError('InvalidRequest', `sha256: the file received has sha256 ${file.sha256}, not ${sha256.toLowerCase()}: nothing was kept`);
    }
    const known = await this.opts.records.image(file.sha256);
    if (known) {
      await this.opts.blobs.remove(incoming);
      return { image: known, created: false };
    }
    await this.opts.blobs.rename(incoming, imageFile(file.sha256));
    const image: FirmwareImage = {
      id: file.sha256, name, size: file.size, uploadedAt: this.opts.now().toISOString(),
      signature: description.signature ?? '', signingCertificate: description.signingCertificate ?? '', note: description.note ?? '',
    };
    await this.opts.records.putImage(image);
    return { image, created: true };
  }

  /** Sets an image's signature, signing certificate or note. */
  async describe(id: string, d: ImageDescription): Promise<FirmwareImage> {
    const image = { ...(await this.image(id)), ...Object.fromEntries(Object.entries(d).filter(([, v]) => v !== undefined)) };
    if (Boolean(image.signature) !== Boolean(image.signingCertificate)) {
      throw new FileTransferError('InvalidRequest', 'a signed image needs both its signature and its signing certificate');
    }
    await this.opts.records.putImage(image);
    return image;
  }

  /** Removes an image no running rollout or unfinished update uses. */
  async remove(id: string): Promise<void> {
    const image = await this.image(id);
    const rollout = [...this.rollouts.values()].find((r) => r.state === 'running' && r.imageId === image.id);
    if (rollout) throw new FileTransferError('Conflict', `rollout ${rollout.id} installs this image; cancel it first`);
    for (const identity of this.opts.service.identities()) {
      const update = (await this.opts.service.state(identity))?.firmware;
      if (update && update.imageId === image.id && !update.ended) throw new FileTransferError('Conflict', `${identity} is still updating with this image (${update.status})`);
    }
    await this.opts.records.removeImage(image.id);
    await this.opts.blobs.remove(imageFile(image.id));
  }

  /** An image's bytes from `start`, for a station's download; undefined when there is no such image of that name. */
  async download(id: string, name: string, start: number): Promise<{ image: FirmwareImage; size: number; stream: AsyncIterable<Uint8Array> } | undefined> {
    const image = await this.opts.records.image(id);
    if (!image || image.name !== name) return undefined;
    const file = await this.opts.blobs.read(imageFile(image.id), start);
    return file && { image, ...file };
  }

  /**
   * Sends the station an update with this image, to fetch now (or at `retrieveAt`): a signed image
   * as 1.6 SignedUpdateFirmware or 2.0.1 UpdateFirmware with its signature. The station's answer
   * starts its update record; its status notifications follow it.
   */
  async update(identity: string, imageId: string, when: { retrieveAt?: string; installAt?: string } = {}, rolloutId?: string): Promise<FirmwareUpdate & { answer: string }> {
    const image = await this.image(imageId);
    await onlineStation(this.opts.service, this.opts.commands, identity);
    const location = this.opts.urls(identity, `/firmware/${image.id}/${image.name}`);
    if (!location) throw new BridgeError('Conflict', `no address is known where ${identity} can download files: set files.publicUrl`);
    const requestId = randomInt(1, 2 ** 31 - 1);
    // Recorded before it is sent (a quick station reports Downloading before its answer is stored).
    const previous = await this.opts.service.update(identity, ({ state }) => {
      const before = state.firmware && structuredClone(state.firmware);
      requestFirmwareUpdate(state, { requestId, image, at: this.opts.now(), ...(rolloutId ? { rolloutId } : {}) });
      return before;
    });
    let answer: string;
    try {
      answer = await this.opts.commands.for(identity).updateFirmware({
        requestId, location, retrieveAt: when.retrieveAt ?? this.opts.now().toISOString(), ...(when.installAt ? { installAt: when.installAt } : {}),
        ...(image.signature ? { signature: image.signature, signingCertificate: image.signingCertificate } : {}),
      });
    } catch (err) {
      // Not sent, or refused outright: the station's last update stands. A lost answer keeps the
      // request (the station may be downloading; a rollout times it out).
      if (!(err instanceof StationCallError && err.code === 'Timeout')) {
        await this.opts.service.update(identity, ({ state }) => {
          if (state.firmware?.requestId !== requestId) return;
          if (previous) state.firmware = previous;
          else delete state.firmware;
        });
      }
      throw stationFailure(err, 'the firmware update');
    }
    const update = await this.opts.service.update(identity, ({ state }) => {
      const answered = firmwareAnswered(state, requestId, answer, this.opts.now());
      return answered && structuredClone(answered);
    });
    this.opts.log.info('firmware update sent', { station: identity, image: image.id, name: image.name, requestId, answer, ...(rolloutId ? { rollout: rolloutId } : {}) });
    if (!update) throw new BridgeError('Conflict', `another firmware update replaced this one on ${identity}`);
    // The answer on its own: a quick station's first status report may already stand in `status`.
    return { ...update, answer };
  }

  /** The station's current (or last) update. */
  async status(identity: string): Promise<FirmwareUpdate | undefined> {
    return (await knownStation(this.opts.service, identity)).firmware;
  }

  /** A station reported a firmware status (already in its state): its rollout may move on. */
  statusReported(_identity: string): void {
    if ([...this.rollouts.values()].some((r) => r.state === 'running')) this.steps.request();
  }

  /** A station connected: a rollout waiting for it may start it. */
  stationReady(identity: string): void {
    this.statusReported(identity);
  }

  /** Installs an image on these stations in order, at most `maxParallel` updating at once. */
  async startRollout(imageId: string, stations: string[], maxParallel: number): Promise<FirmwareRollout> {
    const image = await this.image(imageId);
    if (!stations.length) throw new FileTransferError('InvalidRequest', 'stations: name at least one');
    if (new Set(stations).size !== stations.length) throw new FileTransferError('InvalidRequest', 'stations: each station once');
    for (const identity of stations) await knownStation(this.opts.service, identity);
    const rollout: FirmwareRollout = {
      id: randomUUID(), imageId: image.id, maxParallel, createdAt: this.opts.now().toISOString(), state: 'running', endedAt: '',
      stations: stations.map((identity) => ({ identity, state: 'waiting', startedAt: '', endedAt: '', reason: '' })),
    };
    await this.opts.records.putRollout(rollout);
    this.rollouts.set(rollout.id, rollout);
    // Answered at once: the first stations are sent their updates meanwhile.
    this.steps.request();
    return rollout;
  }

  /** The rollouts, newest first. */
  listRollouts(): FirmwareRollout[] {
    return [...this.rollouts.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  rollout(id: string): FirmwareRollout {
    const rollout = this.rollouts.get(id);
    if (!rollout) throw new FileTransferError('NotFound', `no rollout ${id}`);
    return rollout;
  }

  /** Starts no more stations; those updating now finish on their own. */
  async cancelRollout(id: string): Promise<FirmwareRollout> {
    await this.steps.current;
    const rollout = this.rollout(id);
    if (rollout.state !== 'running') throw new FileTransferError('Conflict', `rollout ${id} is ${rollout.state}`);
    const now = this.opts.now();
    for (const s of rollout.stations) if (s.state === 'waiting') endRolloutStation(rollout, s.identity, 'cancelled', now);
    rollout.state = 'cancelled';
    rollout.endedAt = now.toISOString();
    await this.opts.records.putRollout(rollout);
    return rollout;
  }

  /** Each running rollout: updates that ended (or went quiet) are closed, then the next stations start. */
  private async step(): Promise<void> {
    for (const rollout of this.rollouts.values()) {
      if (rollout.state !== 'running') continue;
      let changed = false;
      const now = this.opts.now();
      for (const s of rollout.stations.filter((e) => e.state === 'updating')) {
        const update = (await this.opts.service.state(s.identity))?.firmware;
        if (!update || update.rolloutId !== rollout.id || firmwareUnanswered(update)) {
          changed = true;
          // Saved as updating, but the node stopped before the station took it (or answered): it waits again.
          if (!update || firmwareUnanswered(update) || update.requestedAt < s.startedAt) Object.assign(s, { state: 'waiting', startedAt: '' });
          else endRolloutStation(rollout, s.identity, 'failed', now, 'another update replaced it');
        }
        else if (update.ended) changed = endRolloutStation(rollout, s.identity, firmwareOutcome(update.status) ?? 'failed', now, update.status) || changed;
        else if (updateTimedOut(update, now, this.opts.updateTimeoutMs)) {
          changed = endRolloutStation(rollout, s.identity, 'failed', now, `no status for ${Math.round(this.opts.updateTimeoutMs / 60_000)} minutes (last: ${update.status})`) || changed;
        }
      }
      // A station that refuses at once makes room for the next one in the same step.
      for (let batch = this.nextOf(rollout); batch.length; batch = this.nextOf(rollout)) {
        for (const next of batch) {
          changed = true;
          next.state = 'updating';
          next.startedAt = now.toISOString();
          // Saved before it is sent: after a crash the station is not sent the update again
          // (seen: a second UpdateFirmware after kill -9).
          await this.opts.records.putRollout(rollout);
          try {
            const update = await this.update(next.identity, rollout.imageId, {}, rollout.id);
            if (update.ended) endRolloutStation(rollout, next.identity, 'failed', now, `the station answered ${update.answer}`);
          } catch (err) {
            endRolloutStation(rollout, next.identity, 'failed', now, (err as Error).message);
          }
        }
      }
      if (changed) await this.opts.records.putRollout(rollout);
    }
  }

  private nextOf(rollout: FirmwareRollout) {
    return rolloutNext(rollout, (identity) => this.opts.commands.isConnected(identity));
  }
}
