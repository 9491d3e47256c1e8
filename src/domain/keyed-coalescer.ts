/**
 * Runs a job per key (a station identity) at most once at a time; the asks made while it runs
 * fold into one more run after it. For work that brings a station up to date (its local list,
 * its configuration), where ten asks in a row need one run: a station sending BootNotification
 * after BootNotification would otherwise queue a reconciliation per boot, each waiting on calls
 * to the station, without bound. Like SerialTask, per key, and a key is forgotten when idle.
 */
export class KeyedCoalescer {
  // A key is here while its job runs; true when asked again meanwhile.
  private readonly again = new Map<string, boolean>();
  private readonly job: (key: string) => Promise<void>;
  private readonly onError: (key: string, err: unknown) => void;

  constructor(job: (key: string) => Promise<void>, onError: (key: string, err: unknown) => void) {
    this.job = job;
    this.onError = onError;
  }

  ask(key: string): void {
    if (this.again.has(key)) {
      this.again.set(key, true);
      return;
    }
    this.again.set(key, false);
    void this.run(key);
  }

  /** Keys with a run under way. */
  get size(): number {
    return this.again.size;
  }

  private async run(key: string): Promise<void> {
    do {
      this.again.set(key, false);
      try {
        await this.job(key);
      } catch (err) {
        // A failing handler must not leave the key held for good.
        try { this.onError(key, err); } catch { /* nothing more to do */ }
      }
    } while (this.again.get(key));
    this.again.delete(key);
  }
}
