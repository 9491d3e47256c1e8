import { Worker } from 'node:worker_threads';
import { verify as verifyHere } from '@scure/sr25519';
import type { Sr25519Answer } from './sr25519-worker.ts';

// A worker that has checks to answer and has finished none for this long is taken for hung: it
// is ended and its checks are made here. Finished checks are counted by the worker itself in
// shared memory, so a busy worker with a long queue, or an event loop that stalled, is not
// mistaken for a hung one.
const WORKER_SILENCE_MS = 1_000;
// Checks handed to the worker at once; the rest wait here in order (each queued check holds
// only its own bytes).
const WORKER_IN_FLIGHT = 64;
// After a worker failed, the next one starts no sooner than this (doubling up to 10 minutes).
const RESTART_AFTER_MS = 5_000;
const RESTART_AT_MOST_MS = 600_000;

/** The pure-JS check on the calling thread: 3-3.5 ms that the event loop waits for. */
function checkHere(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return verifyHere(message, signature, publicKey);
  } catch {
    return false;
  }
}

interface Job { packed: ArrayBuffer; resolve: (valid: boolean | undefined) => void }

/** Key (32), signature (64) and message in one fresh buffer, moved to the worker, not copied. */
function pack(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): ArrayBuffer {
  const bytes = new Uint8Array(96 + message.length);
  bytes.set(publicKey, 0);
  bytes.set(signature, 32);
  bytes.set(message, 96);
  return bytes.buffer;
}

/**
 * The WebAssembly checker in its worker thread, started on the first sr25519 signature (a node
 * whose wallets sign with ed25519 never loads it). Until it is ready, while it is down, and for
 * a while after it failed, signatures are checked here. Each check is answered once.
 */
class WorkerChecker {
  state: 'idle' | 'starting' | 'ready' | 'failed' = 'idle';
  /** Checks the worker answered (tests and the benchmark tell from it where checks ran). */
  answered = 0;
  private worker: Worker | undefined;
  private finished: Int32Array | undefined;
  private nextId = 0;
  private readonly inFlight = new Map<number, Job>();
  private readonly waiting: Job[] = [];
  private watchdog: NodeJS.Timeout | undefined;
  private restartDelay = RESTART_AFTER_MS;
  private restartAt = 0;
  private readonly failureListeners: ((reason: string) => void)[] = [];

  check(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): Promise<boolean | undefined> | undefined {
    if (this.state === 'idle' || (this.state === 'failed' && Date.now() >= this.restartAt)) this.start();
    if (this.state !== 'ready') return undefined;
    return new Promise((resolve) => {
      this.waiting.push({ packed: pack(message, signature, publicKey), resolve });
      this.dispatch();
    });
  }

  /** Calls `listener` with the reason whenever a worker fails; returns what stops that. */
  onFailure(listener: (reason: string) => void): () => void {
    this.failureListeners.push(listener);
    return () => {
      const at = this.failureListeners.indexOf(listener);
      if (at >= 0) this.failureListeners.splice(at, 1);
    };
  }

  /** Ends the worker as a crash would (tests). */
  async stop(): Promise<void> {
    await this.worker?.terminate();
  }

  private dispatch(): void {
    const worker = this.worker;
    if (!worker) return;
    while (this.inFlight.size < WORKER_IN_FLIGHT && this.waiting.length) {
      const job = this.waiting.shift()!;
      const id = this.nextId++;
      this.inFlight.set(id, job);
      worker.postMessage({ id, packed: job.packed }, [job.packed]);
    }
    // Waiting checks keep the process alive (a script that checks one signature gets its answer).
    if (this.inFlight.size) {
      worker.ref();
      this.watch();
    } else {
      worker.unref();
    }
  }

  private watch(): void {
    const worker = this.worker;
    const finished = this.finished;
    if (this.watchdog || !worker || !finished) return;
    const before = Atomics.load(finished, 0);
    this.watchdog = setTimeout(() => {
      this.watchdog = undefined;
      if (worker !== this.worker) return this.watch();
      if (!this.inFlight.size) return;
      if (Atomics.load(finished, 0) === before) this.fail(worker, `it finished no check in ${WORKER_SILENCE_MS / 1000} s`);
      else this.watch();
    }, WORKER_SILENCE_MS);
    this.watchdog.unref();
  }

  private start(): void {
    this.state = 'starting';
    this.finished = new Int32Array(new SharedArrayBuffer(4));
    let worker: Worker;
    try {
      // None of the process's own options (`node -e`, a --import hook) apply to the worker.
      worker = new Worker(new URL('./sr25519-worker.ts', import.meta.url), { execArgv: [], workerData: { finished: this.finished } });
    } catch (err) {
      this.fail(undefined, err instanceof Error ? err.message : String(err));
      return;
    }
    this.worker = worker;
    worker.on('message', (m: Sr25519Answer | 'ready') => {
      if (worker !== this.worker) return;
      if (m === 'ready') {
        this.state = 'ready';
        this.restartDelay = RESTART_AFTER_MS;
        return;
      }
      const job = this.inFlight.get(m.id);
      this.inFlight.delete(m.id);
      this.answered++;
      job?.resolve(m.valid);
      this.dispatch();
    });
    worker.on('error', (err) => this.fail(worker, err.message));
    worker.on('exit', (code) => this.fail(worker, `it exited (${code})`));
    // An idle worker never keeps the process alive (after the listeners: adding one refs it again).
    worker.unref();
  }

  /** The worker is gone: its checks and the waiting ones are made here; a new one starts later. */
  private fail(worker: Worker | undefined, reason: string): void {
    // Only the current worker's end counts (a replaced one's exit comes later).
    if (worker !== this.worker) return;
    this.worker = undefined;
    this.state = 'failed';
    this.restartAt = Date.now() + this.restartDelay;
    this.restartDelay = Math.min(this.restartDelay * 2, RESTART_AT_MOST_MS);
    void worker?.terminate();
    const jobs = [...this.inFlight.values(), ...this.waiting.splice(0)];
    this.inFlight.clear();
    for (const job of jobs) job.resolve(undefined);
    for (const listener of this.failureListeners) listener(reason);
  }
}

const checker = new WorkerChecker();

/** Whether an sr25519 signature (schnorrkel, "substrate" context) over `message` verifies. */
export async function sr25519Check(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): Promise<boolean> {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  // The identity (all zeros, ristretto255's only point of small order): the WebAssembly
  // schnorrkel accepts R = s·B, made with no secret, for any message under it.
  if (publicKey.every((b) => b === 0)) return false;
  return (await checker.check(message, signature, publicKey)) ?? checkHere(message, signature, publicKey);
}

/** The worker's state, the checks it answered, and its failures (logged by the node). */
export const sr25519Checker = {
  get state(): WorkerChecker['state'] { return checker.state; },
  get answered(): number { return checker.answered; },
  onFailure: (listener: (reason: string) => void) => checker.onFailure(listener),
  stop: () => checker.stop(),
};
