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

  constructor(db: LevelDatabase) {
    this.db = db;
  }

  /** Records a request nonce; false when (signer, nonce) was seen before. */
  async recordNonce(minute: number, signerHex: string, nonceHex: string): Promise<boolean> {
    const key = keys.nonce(minute, signerHex, nonceHex);
    if (this.claimed.has(key)) return false;
    this.claimed.add(key);
    try {
      if ((await this.db.get(key)) !== undefined) return false;
      await this.db.write([{ type: 'put', key, value: EMPTY }]);
      return true;
    } finally {
      this.claimed.delete(key);
    }
  }

  async dropNoncesBefore(minute: number): Promise<void> {
    // Cleanup waits while storage is failing; the nonces stay refused meanwhile.
    if (this.db.writeFailure) return;
    await this.db.clear(keys.noncesBefore(minute));
  }
}
