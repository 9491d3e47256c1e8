/**
 * An async job that runs one at a time. A request while it runs asks for exactly one more
 * run afterwards: the work that prompted it may have arrived after the running one looked.
 */
export class SerialTask {
  private readonly job: () => Promise<void>;
  private readonly onError: (err: unknown) => void;
  private readonly onIdle: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;

  /** `onIdle`: told each time a run ends with no other asked for. */
  constructor(job: () => Promise<void>, onError: (err: unknown) => void, onIdle?: () => void) {
    this.job = job;
    this.onError = onError;
    this.onIdle = onIdle;
  }

  request(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.job().catch((err: unknown) => {
      // A failing handler must not leave the task running for good.
      try { this.onError(err); } catch { /* nothing more to do */ }
    }).finally(() => {
      this.running = undefined;
      if (this.again && !this.closed) {
        this.again = false;
        this.request();
      } else {
        this.onIdle?.();
      }
    });
  }

  /** No more runs: a request from now on, or one asked for during the current run, is dropped. */
  close(): void {
    this.closed = true;
  }

  /** Settles when the run under way (if any) has ended. */
  get current(): Promise<void> {
    return this.running ?? Promise.resolve();
  }
}

/**
 * A SerialTask per key (a station identity), forgotten while idle: for work that brings a
 * station up to date (its local list, its configuration), where ten asks in a row need one run.
 * A station reconnecting again and again would otherwise queue a catch-up per connection, each
 * waiting on calls to the station, without bound.
 */
export class KeyedSerialTasks {
  private readonly tasks = new Map<string, SerialTask>();
  private readonly job: (key: string) => Promise<void>;
  private readonly onError: (key: string, err: unknown) => void;

  constructor(job: (key: string) => Promise<void>, onError: (key: string, err: unknown) => void) {
    this.job = job;
    this.onError = onError;
  }

  request(key: string): void {
    let task = this.tasks.get(key);
    if (!task) {
      task = new SerialTask(() => this.job(key), (err) => this.onError(key, err), () => this.tasks.delete(key));
      this.tasks.set(key, task);
    }
    task.request();
  }

  /** Keys with a run under way. */
  get size(): number {
    return this.tasks.size;
  }
}
