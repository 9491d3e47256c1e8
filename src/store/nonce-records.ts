import { EMPTY, type LevelDatabase } from './level-database.ts';
import { keys } from './keys.ts';

const CLOCK_MARGIN_MS = 60_000;

/**
 * Request nonces seen, kept per minute of their timestamp so the ones older than the
 * freshness window are dropped as one range.
 */
export class LevelNonceRecords {
  private readonly db: LevelDatabase;
  // Nonces being recorded right now: the check and the claim happen in one synchronous step.
  private readonly claimed = new Set<string>();
  // Every nonce this store recorded, by minute: a request no earlier process can have received
  // is checked here instead of with a storage read (one LevelDB get per consumer request).
  private readonly recorded = new Map<number, Set<string>>();
  // Later than the store opened, with a margin for the clock having been set back at a restart.
  private readonly memoryDecidesAfter = Date.now() + CLOCK_MARGIN_MS;

  constructor(db: LevelDatabase) {
    this.db = db;
  }

  /**
   * Records a request nonce; false when (signer, nonce) was seen before. `earliestReceipt`: the
   * earliest moment (epoch ms) another copy of the request can have been received, its timestamp
   * less the freshness window. A request that cannot have reached an earlier process is decided
   * from what this store recorded; any other is also looked up in storage.
   */
  async recordNonce(minute: number, signerHex: string, nonceHex: string, earliestReceipt = -Infinity): Promise<boolean> {
    const key = keys.nonce(minute, signerHex, nonceHex);
    if (this.claimed.has(key) || this.recorded.get(minute)?.has(key)) return false;
    this.claimed.add(key);
    try {
      if (earliestReceipt <= this.memoryDecidesAfter && (await this.db.get(key)) !== undefined) return false;
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
