import type { Logger } from '../src/log/logger.ts';

/** A part that was started and must be stopped. */
interface Running {
  name: string;
  stop: () => Promise<void> | void;
}

/** A part that failed to start; `cause` is its own error. */
export class StartError extends Error {
  readonly part: string;

  constructor(part: string, cause: unknown) {
    super(`${part} failed to start: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'StartError';
    this.part = part;
  }
}

/**
 * Starts the node's parts in order and stops them in reverse. A part that fails to start
 * stops every part started before it, so a failed start leaves nothing behind (no chain
 * connection kept open, no timer, storage closed and reopenable) and the process can exit.
 */
export class Lifecycle {
  private readonly running: Running[] = [];
  private stopping: Promise<void> | undefined;
  private readonly log: Logger;

  constructor(log: Logger) {
    this.log = log;
  }

  /** Runs `start`; registers `stop` for its result. A failure stops what started before, then throws StartError. */
  async start<T>(name: string, start: () => Promise<T> | T, stop: (part: T) => Promise<void> | void): Promise<T> {
    let part: T;
    try {
      part = await start();
    } catch (err) {
      await this.stop();
      throw err instanceof StartError ? err : new StartError(name, err);
    }
    this.running.push({ name, stop: () => stop(part) });
    return part;
  }

  /** Calls `fn` every `ms` until the node stops; the timer never keeps the process alive. */
  every(name: string, ms: number, fn: () => void): void {
    const timer = setInterval(fn, ms);
    timer.unref();
    this.running.push({ name, stop: () => clearInterval(timer) });
  }

  /** Registers the stop of something already running (started by a part's own start). */
  onStop(name: string, stop: () => Promise<void> | void): void {
    this.running.push({ name, stop });
  }

  /** Stops every part, last started first; one that fails to stop is logged and the rest still stop. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const part of this.running.reverse()) {
        try {
          await part.stop();
        } catch (err) {
          this.log.error('a part failed to stop', { part: part.name, err: err instanceof Error ? err.message : String(err) });
        }
      }
      this.running.length = 0;
    })();
    return this.stopping;
  }
}
