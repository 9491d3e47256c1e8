/**
 * An async job that runs one at a time. A request while it runs asks for exactly one more
 * run afterwards: the work that prompted it may have arrived after the running one looked.
 */
export class SerialTask {
  private readonly job: () => Promise<void>;
  private readonly onError: (err: unknown) => void;
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;

  constructor(job: () => Promise<void>, onError: (err: unknown) => void) {
    this.job = job;
    this.onError = onError;
  }

  request(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.job().catch(this.onError).finally(() => {
      this.running = undefined;
      if (this.again && !this.closed) {
        this.again = false;
        this.request();
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
