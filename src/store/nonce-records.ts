import type { ChangeRecord, RequestClaim } from '../domain/change.ts';
import { type BatchOp, EMPTY, type LevelDatabase } from './level-database.ts';
import { keys } from './keys.ts';

/** The record of a request's replay key: written by `settle`, or in the batch of the change that carries it. */
const putOf = (claim: RequestClaim): BatchOp & { type: 'put' } => ({ type: 'put', key: keys.nonce(claim.minute, claim.signerHex, claim.nonceHex), value: EMPTY });

/**
 * Request nonces seen, kept per minute of their timestamp so the ones older than the
 * freshness window are dropped as one range.
 */
export class LevelNonceRecords {
  private readonly db: LevelDatabase;
  // Requests under way, by key: claimed (checked and held in one synchronous step), not yet settled.
  private readonly claimed = new Map<string, RequestClaim>();
  // Every nonce this store recorded, by minute.
  private readonly recorded = new Map<number, Set<string>>();
  // The newest minute a nonce was stored under when the store opened. A replay carries its
  // original's minute, so a request of a later minute cannot have been recorded by an earlier
  // process: it is decided from `recorded`, without a storage read (one LevelDB get per
  // consumer request). No clock is trusted for this. Until loaded, storage is always read.
  private newestStoredMinute = Infinity;

  constructor(db: LevelDatabase) {
    this.db = db;
  }

  /** Reads the newest stored minute (once, when the store opens). */
  async load(): Promise<void> {
    let newest = -Infinity;
    for await (const key of this.db.keys(keys.newestNonce)) newest = keys.nonceMinute(key);
    this.newestStoredMinute = newest;
  }

  /**
   * Claims a request's (signer, nonce): undefined when it was seen before or is under way now.
   * The claim is held until `settle`, which every claim must reach.
   */
  async claim(minute: number, signerHex: string, nonceHex: string): Promise<RequestClaim | undefined> {
    const key = keys.nonce(minute, signerHex, nonceHex);
    if (this.claimed.has(key) || this.recorded.get(minute)?.has(key)) return undefined;
    const claim: RequestClaim = { minute, signerHex, nonceHex, recorded: false };
    this.claimed.set(key, claim);
    try {
      if (minute <= this.newestStoredMinute && (await this.db.get(key)) !== undefined) {
        this.claimed.delete(key);
        return undefined;
      }
    } catch (err) {
      this.claimed.delete(key);
      throw err;
    }
    return claim;
  }

  /**
   * Makes a claim durable, written now unless a change carried it (ChangeRecord.requests), and
   * refused from memory from then on. A claim whose write fails is let go unrecorded: its
   * request must not act. Settling a claim again does nothing (also when a later request of the
   * same key holds a claim of its own now).
   */
  async settle(claim: RequestClaim): Promise<void> {
    const put = putOf(claim);
    const { key } = put;
    if (this.claimed.get(key) !== claim) return;
    try {
      if (!claim.recorded) {
        await this.db.write([put]);
        claim.recorded = true;
      }
      let ofMinute = this.recorded.get(claim.minute);
      if (!ofMinute) this.recorded.set(claim.minute, (ofMinute = new Set()));
      ofMinute.add(key);
    } finally {
      this.claimed.delete(key);
    }
  }

  /** The replay keys of the requests a change carries out, written in its batch. */
  opsFor(change: ChangeRecord): BatchOp[] {
    return change.requests.map(putOf);
  }

  async dropNoncesBefore(minute: number): Promise<void> {
    // Cleanup waits while storage is failing; the nonces stay refused meanwhile.
    if (this.db.writeFailure) return;
    for (const recordedMinute of this.recorded.keys()) if (recordedMinute < minute) this.recorded.delete(recordedMinute);
    await this.db.clear(keys.noncesBefore(minute));
  }
}
