import { createHash } from 'node:crypto';
import { verifyPasswordAsync } from './passwords.ts';

export interface PasswordCheckLimits {
  /** Wrong passwords from one remote address within the window before it is throttled. */
  failuresPerAddress: number;
  /** Wrong passwords for one identity within the window before it is throttled. */
  failuresPerIdentity: number;
  windowMs: number;
  /** scrypt computations at once (they run on libuv's thread pool); more wait, a few. */
  concurrent: number;
  /** Checks that may wait for a computation; above it the attempt is throttled. */
  queued: number;
  /** How long a verified (identity, password) is remembered (a reconnect storm costs no scrypt). */
  rememberMs: number;
}

export type PasswordOutcome = 'ok' | 'wrong' | 'throttled';

const DEFAULTS: PasswordCheckLimits = { failuresPerAddress: 10, failuresPerIdentity: 20, windowMs: 60_000, concurrent: 2, queued: 32, rememberMs: 10 * 60_000 };
const MAX_REMEMBERED = 100_000;

/**
 * Basic-auth verification that costs an attacker more than it costs the node: scrypt runs off
 * the event loop and only a few at a time; an address or identity that keeps sending wrong
 * passwords is refused without any scrypt for the rest of the window; a password verified for
 * an identity is remembered (as a hash) for a while, so a reconnect storm of real stations
 * costs nothing.
 */
export class PasswordCheck {
  private readonly limits: PasswordCheckLimits;
  private readonly now: () => number;
  private readonly failures = new Map<string, { count: number; since: number }>();
  private readonly remembered = new Map<string, number>();
  private readonly inFlight = new Map<string, number>();
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(limits: Partial<PasswordCheckLimits> = {}, now: () => number = Date.now) {
    this.limits = { ...DEFAULTS, ...limits };
    this.now = now;
  }

  async check(o: { identity: string; address: string; password: Uint8Array; hashes: readonly string[] }): Promise<PasswordOutcome> {
    const fingerprint = createHash('sha256').update(o.identity).update('\u0000').update(o.password).update('\u0000').update(o.hashes.join(',')).digest('hex');
    const until = this.remembered.get(fingerprint);
    if (until !== undefined && until > this.now()) return 'ok';
    const keys = [`a:${o.address}`, `i:${o.identity}`] as const;
    if (this.throttled(keys[0], this.limits.failuresPerAddress) || this.throttled(keys[1], this.limits.failuresPerIdentity)) return 'throttled';
    if (this.running >= this.limits.concurrent && this.waiting.length >= this.limits.queued) return 'throttled';
    // Counted for the identity while it is checked: guesses that arrive together cannot all slip
    // under its limit. (Not for the address: stations behind one NAT reconnect together.)
    this.inFlight.set(keys[1], (this.inFlight.get(keys[1]) ?? 0) + 1);
    await this.slot();
    let ok: boolean;
    try {
      // Every hash is checked, so the time taken does not tell which form matched.
      ok = (await Promise.all(o.hashes.map((h) => verifyPasswordAsync(o.password, h)))).includes(true);
    } finally {
      this.release();
      const n = (this.inFlight.get(keys[1]) ?? 1) - 1;
      if (n > 0) this.inFlight.set(keys[1], n);
      else this.inFlight.delete(keys[1]);
    }
    if (ok) {
      if (this.remembered.size >= MAX_REMEMBERED) this.remembered.delete(this.remembered.keys().next().value!);
      this.remembered.set(fingerprint, this.now() + this.limits.rememberMs);
      return 'ok';
    }
    this.fail(`a:${o.address}`);
    this.fail(`i:${o.identity}`);
    return 'wrong';
  }

  private throttled(key: string, max: number): boolean {
    const pending = this.inFlight.get(key) ?? 0;
    const f = this.failures.get(key);
    if (f && f.since + this.limits.windowMs <= this.now()) this.failures.delete(key);
    const failed = this.failures.get(key)?.count ?? 0;
    return failed + pending >= max;
  }

  private fail(key: string): void {
    const f = this.failures.get(key);
    if (!f || f.since + this.limits.windowMs <= this.now()) this.failures.set(key, { count: 1, since: this.now() });
    else f.count++;
    // The map holds only recent offenders: old entries go when it grows.
    if (this.failures.size > 50_000) {
      for (const [k, v] of this.failures) if (v.since + this.limits.windowMs <= this.now()) this.failures.delete(k);
    }
  }

  private slot(): Promise<void> {
    if (this.running < this.limits.concurrent) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(() => { this.running++; resolve(); }));
  }

  private release(): void {
    this.running--;
    this.waiting.shift()?.();
  }
}
