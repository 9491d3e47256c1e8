import { EMPTY, type LevelDatabase } from './level-database.ts';
import { keys } from './keys.ts';

/**
 * Request nonces seen, kept per minute of their timestamp so the ones older than the
 * freshness window are dropped as one range.
 */
export class LevelNonceRecords {
  private readonly db: LevelDatabase;
  // Nonces being recorded right now: the check and the claim happen in one synchronous step.
  private readonly claimed = new Set<string>();
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

  /** Records a request nonce; false when (signer, nonce) was seen before. */
  async recordNonce(minute: number, signerHex: string, nonceHex: string): Promise<boolean> {
    const key = keys.nonce(minute, signerHex, nonceHex);
    if (this.claimed.has(key) || this.recorded.get(minute)?.has(key)) return false;
    this.claimed.add(key);
    try {
      if (minute <= this.newestStoredMinute && (await this.db.get(key)) !== undefined) return false;
      await this.db.write([{ type: 'put', key, value: EMPTY }]);
      let ofMinute = this.recorded.get(minute);
      if (!ofMinute) this.recorded.set(minute, (ofMinute = new Set()));
      ofMinute.add(key);
      return true;
    } finally {
      this.claimed.delete(key);
    }
  }

  async dropNoncesBefore(minute: number): Promise<void> {
    // Cleanup waits while storage is failing; the nonces stay refused meanwhile.
    if (this.db.writeFailure) return;
    for (const recordedMinute of this.recorded.keys()) if (recordedMinute < minute) this.recorded.delete(recordedMinute);
    await this.db.clear(keys.noncesBefore(minute));
  }
}
