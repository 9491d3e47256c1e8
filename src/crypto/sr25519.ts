import { Worker } from 'node:worker_threads';
import { verify as verifyHere } from '@scure/sr25519';
import type { Sr25519Answer, Sr25519Job } from './sr25519-worker.ts';

// A worker that has checks to answer and answered none for this long is taken for hung: it is
// ended and its checks are made here (a busy worker with a long queue keeps answering, so its
// checks are not made twice).
const WORKER_SILENCE_MS = 1_000;

/** The pure-JS check on the calling thread: 3-3.5 ms that the event loop waits for. */
function checkHere(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return verifyHere(message, signature, publicKey);
  } catch {
    return false;
  }
}

/**
 * The WebAssembly checker in its worker thread, started on the first sr25519 signature (a node
 * whose wallets sign with ed25519 never loads it). Until it is ready, and for good if it fails,
 * signatures are checked here. Pending checks are kept by id, each answered once.
 */
class WorkerChecker {
  state: 'idle' | 'starting' | 'ready' | 'failed' = 'idle';
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, (valid: boolean | undefined) => void>();
  private lastAnswerAt = 0;
  private watchdog: NodeJS.Timeout | undefined;

  check(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): Promise<boolean | undefined> | undefined {
    if (this.state === 'idle') this.start();
    if (this.state !== 'ready' || !this.worker) return undefined;
    const id = this.nextId++;
    const worker = this.worker;
    if (!this.pending.size) {
      this.lastAnswerAt = Date.now();
      // Waiting checks keep the process alive (a script that checks one signature gets its answer).
      worker.ref();
    }
    this.watch();
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      worker.postMessage({ id, message, signature, publicKey } satisfies Sr25519Job);
    });
  }

  private watch(): void {
    if (this.watchdog) return;
    this.watchdog = setTimeout(() => {
      this.watchdog = undefined;
      if (!this.pending.size) return;
      if (Date.now() - this.lastAnswerAt >= WORKER_SILENCE_MS) void this.worker?.terminate();
      else this.watch();
    }, WORKER_SILENCE_MS);
    this.watchdog.unref();
  }

  /** Ends the worker (tests: what a crashed worker leaves). */
  async stop(): Promise<void> {
    await this.worker?.terminate();
  }

  private start(): void {
    this.state = 'starting';
    // None of the process's own options (`node -e`, a --import hook) apply to the worker.
    const worker = new Worker(new URL('./sr25519-worker.ts', import.meta.url), { execArgv: [] });
    this.worker = worker;
    worker.on('message', (m: Sr25519Answer | 'ready') => {
      if (m === 'ready') {
        this.state = 'ready';
        return;
      }
      this.lastAnswerAt = Date.now();
      this.settle(m.id, m.valid);
    });
    const fail = (): void => {
      this.state = 'failed';
      this.worker = undefined;
      for (const id of [...this.pending.keys()]) this.settle(id, undefined);
    };
    worker.on('error', fail);
    worker.on('exit', fail);
    // An idle worker never keeps the process alive (after the listeners: adding one refs it again).
    worker.unref();
  }

  private settle(id: number, valid: boolean | undefined): void {
    const done = this.pending.get(id);
    this.pending.delete(id);
    if (!this.pending.size) this.worker?.unref();
    done?.(valid);
  }
}

const checker = new WorkerChecker();

/** Whether an sr25519 signature (schnorrkel, "substrate" context) over `message` verifies. */
export async function sr25519Check(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): Promise<boolean> {
  return (await checker.check(message, signature, publicKey)) ?? checkHere(message, signature, publicKey);
}

/** Where checks run now: 'ready' once the WebAssembly worker answers them (for tests and the benchmark). */
export const sr25519Checker = {
  get state(): WorkerChecker['state'] { return checker.state; },
  stop: () => checker.stop(),
};
