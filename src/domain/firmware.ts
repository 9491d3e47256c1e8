import type { ChargePointState } from './model.ts';
import type { FirmwareUpdate, Store_FirmwareImage as FirmwareImage, Store_FirmwareRollout as FirmwareRollout, Store_RolloutStation as RolloutStation } from '../proto/types.ts';

export type { FirmwareImage, FirmwareRollout, FirmwareUpdate, RolloutStation };

// The statuses after which a station reports nothing more for an update. 1.6 core, 1.6 security
// (SignedFirmwareStatusNotification) and 2.0.1 share their names.
const INSTALLED = 'Installed';
const FAILED = new Set([
  'DownloadFailed', 'InstallationFailed', 'InvalidSignature', 'InstallVerificationFailed',
  'InvalidCertificate', 'RevokedCertificate', 'Rejected',
]);
// An update sent and not answered yet.
const REQUESTED = 'Requested';
// Kept per station: a download and install rarely report more than ten statuses.
const HISTORY_KEPT = 20;

/** Whether a status ends an update, and how. */
export function firmwareOutcome(status: string): 'installed' | 'failed' | undefined {
  if (status === INSTALLED) return 'installed';
  return FAILED.has(status) ? 'failed' : undefined;
}

/**
 * An update about to be sent: its record (replacing the last) exists before the station is
 * asked, so the statuses a quick station reports before its answer has been stored are kept.
 */
export function requestFirmwareUpdate(state: ChargePointState, u: { requestId: number; image: FirmwareImage; at: Date; rolloutId?: string }): FirmwareUpdate {
  const at = u.at.toISOString();
  state.firmware = {
    requestId: u.requestId, imageId: u.image.id, imageName: u.image.name, requestedAt: at,
    status: REQUESTED, statusAt: at, history: [], rolloutId: u.rolloutId ?? '', ended: false,
  };
  return state.firmware;
}

/**
 * The station's answer to the request: first in the history (it came before any status the
 * station reports), and the update's status unless a status already came; a refusal ends it.
 * Undefined when another request replaced this one meanwhile.
 */
export function firmwareAnswered(state: ChargePointState, requestId: number, answer: string, at: Date): FirmwareUpdate | undefined {
  const update = state.firmware;
  if (update?.requestId !== requestId) return undefined;
  update.history.unshift({ status: answer, at: at.toISOString() });
  if (firmwareOutcome(answer) === 'failed' || update.status === REQUESTED) {
    update.status = answer;
    update.statusAt = at.toISOString();
    update.ended = firmwareOutcome(answer) !== undefined;
  }
  return update;
}

/** Sent (or about to be) but neither answered nor reported on: after a restart, it was never taken. */
export function firmwareUnanswered(update: FirmwareUpdate): boolean {
  return update.status === REQUESTED && update.history.length === 0;
}

/**
 * A firmware status notification: applied to the station's current update when it names that
 * update's request (or names none, as 1.6 core does). 'Idle' only answers a trigger when the
 * station is doing nothing, so it changes nothing. Returns the update when it changed.
 */
export function applyFirmwareStatus(state: ChargePointState, s: { status: string; requestId?: number; at: Date }): FirmwareUpdate | undefined {
  const update = state.firmware;
  if (!update || s.status === 'Idle') return undefined;
  if (s.requestId !== undefined && s.requestId !== update.requestId) return undefined;
  const at = s.at.toISOString();
  update.status = s.status;
  update.statusAt = at;
  update.history.push({ status: s.status, at });
  if (update.history.length > HISTORY_KEPT) update.history.splice(0, update.history.length - HISTORY_KEPT);
  update.ended = firmwareOutcome(s.status) !== undefined;
  return update;
}

/** An update that has had no status for this long is over for a rollout (the station went quiet). */
export function updateTimedOut(update: FirmwareUpdate, now: Date, timeoutMs: number): boolean {
  return !update.ended && now.getTime() - Date.parse(update.statusAt) >= timeoutMs;
}

/**
 * A rollout's next step: the stations to start now, at most `maxParallel` updating at once, in
 * the order given. Stations that are offline now are passed over and tried again later.
 */
export function rolloutNext(rollout: FirmwareRollout, isOnline: (identity: string) => boolean): RolloutStation[] {
  if (rollout.state !== 'running') return [];
  const updating = rollout.stations.filter((s) => s.state === 'updating').length;
  const room = Math.max(0, rollout.maxParallel - updating);
  return rollout.stations.filter((s) => s.state === 'waiting' && isOnline(s.identity)).slice(0, room);
}

/** Ends a station's part of a rollout; the rollout finishes when no station waits or updates. */
export function endRolloutStation(rollout: FirmwareRollout, identity: string, outcome: 'installed' | 'failed' | 'cancelled', at: Date, reason = ''): boolean {
  const entry = rollout.stations.find((s) => s.identity === identity);
  if (!entry || (entry.state !== 'updating' && entry.state !== 'waiting')) return false;
  entry.state = outcome;
  entry.endedAt = at.toISOString();
  entry.reason = reason;
  if (rollout.state === 'running' && rollout.stations.every((s) => s.state !== 'waiting' && s.state !== 'updating')) {
    rollout.state = 'finished';
    rollout.endedAt = at.toISOString();
  }
  return true;
}

/** A firmware file name as it may appear in a URL path: letters, digits, dot, dash, underscore. */
export function firmwareNameProblem(name: string): string | undefined {
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(name) || name.startsWith('.')) return 'name: 1-100 letters, digits, ".", "-" or "_", not starting with "."';
  return undefined;
}
