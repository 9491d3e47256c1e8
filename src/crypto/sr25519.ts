import { Worker } from 'node:worker_threads';
import { verify as verifyHere } from '@scure/sr25519';
import type { Sr25519Answer } from './sr25519-worker.ts';

/** How the worker is run (tests run a stand-in worker with short timings). */
export interface Sr25519WorkerOptions {
  /** The worker's module (its `workerData.finished` counts finished checks; it posts 'ready', then answers). */
  workerUrl: URL;
  /**
   * A worker with checks to answer that finished none for this long is taken for hung: it is
   * ended and its checks are made here. The worker counts finished checks in shared memory, so
   * a busy worker with a long queue, or an event loop that stalled, is not taken for a hung one.
   */
  silenceMs: number;
  /** A worker not ready after this long has failed. */
  startMs: number;
  /** Checks handed to the worker at once; the rest wait here in order, each holding only its bytes. */
  inFlight: number;
  /** After a failure the next worker starts no sooner than this, doubling up to `restartAtMostMs`... */
  restartAfterMs: number;
  restartAtMostMs: number;
  /** ...and back to `restartAfterMs` once a worker has run this long. */
  healthyAfterMs: number;
}

const DEFAULTS: Sr25519WorkerOptions = {
  workerUrl: new URL('./sr25519-worker.ts', import.meta.url),
  silenceMs: 1_000,
  startMs: 30_000,
  inFlight: 64,
  restartAfterMs: 5_000,
  restartAtMostMs: 600_000,
  healthyAfterMs: 60_000,
};

// Checks given back after a failure are made here a few per turn (at 3 ms each, hundreds at
// once would hold the event loop for seconds).
const FALLBACKS_PER_TURN = 8;

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
 * a while after it failed, check() answers undefined and the caller checks here. Each check is
 * answered once.
 */
export class Sr25519WorkerChecker {
  state: 'idle' | 'starting' | 'ready' | 'failed' = 'idle';
  /** Checks the worker answered (tests and the benchmark tell from it where checks ran). */
  answered = 0;
  private readonly o: Sr25519WorkerOptions;
  private worker: Worker | undefined;
  private finished: Int32Array | undefined;
  private startedAt = 0;
  private startTimer: NodeJS.Timeout | undefined;
  private nextId = 0;
  private readonly inFlight = new Map<number, Job>();
  private readonly waiting: Job[] = [];
  private watchdog: NodeJS.Timeout | undefined;
  private restartDelay: number;
  private restartAt = 0;
  private readonly failureListeners: ((reason: string) => void)[] = [];

  constructor(options: Partial<Sr25519WorkerOptions> = {}) {
    this.o = { ...DEFAULTS, ...options };
    this.restartDelay = this.o.restartAfterMs;
  }

  check(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): Promise<boolean | undefined> | undefined {
    if (this.state === 'idle' || (this.state === 'failed' && Date.now() >= this.restartAt)) this.start();
    if (this.state !== 'ready') return undefined;
    return new Promise((resolve) => {
      this.waiting.push({ packed: pack(message, signature, publicKey), resolve });
      this.dispatch();
    });
  }

  /** Checks handed to the worker and not answered yet. */
  get inWorker(): number {
    return this.inFlight.size;
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
    while (this.inFlight.size < this.o.inFlight && this.waiting.length) {
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
      if (Atomics.load(finished, 0) === before) this.fail(worker, `it finished no check in ${this.o.silenceMs} ms`);
      else this.watch();
    }, this.o.silenceMs);
    this.watchdog.unref();
  }

  private start(): void {
    this.state = 'starting';
    this.startedAt = Date.now();
    this.finished = new Int32Array(new SharedArrayBuffer(4));
    let worker: Worker;
    try {
      // None of the process's own options (`node -e`, a --import hook) apply to the worker.
      worker = new Worker(this.o.workerUrl, { execArgv: [], workerData: { finished: this.finished } });
    } catch (err) {
      this.fail(undefined, err instanceof Error ? err.message : String(err));
      return;
    }
    this.worker = worker;
    this.startTimer = setTimeout(() => this.fail(worker, `it was not ready after ${this.o.startMs} ms`), this.o.startMs);
    this.startTimer.unref();
    worker.on('message', (m: Sr25519Answer | 'ready') => {
      if (worker !== this.worker) return;
      if (m === 'ready') {
        clearTimeout(this.startTimer);
        this.state = 'ready';
        return;
      }
      const job = this.inFlight.get(m.id);
      if (!job) return;
      this.inFlight.delete(m.id);
      this.answered++;
      job.resolve(m.valid);
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
    clearTimeout(this.startTimer);
    const ranMs = Date.now() - this.startedAt;
    this.worker = undefined;
    this.state = 'failed';
    // A worker that fails soon after it started, again and again, waits longer each time; one
    // that ran a good while starts the count afresh.
    if (ranMs >= this.o.healthyAfterMs) this.restartDelay = this.o.restartAfterMs;
    this.restartAt = Date.now() + this.restartDelay;
    this.restartDelay = Math.min(this.restartDelay * 2, this.o.restartAtMostMs);
    void worker?.terminate();
    const jobs = [...this.inFlight.values(), ...this.waiting.splice(0)];
    this.inFlight.clear();
    const giveBack = (): void => {
      for (const job of jobs.splice(0, FALLBACKS_PER_TURN)) job.resolve(undefined);
      if (jobs.length) setImmediate(giveBack);
    };
    giveBack();
    for (const listener of this.failureListeners) {
      try {
        listener(reason);
      } catch {
        // A listener's own failure is not the checker's.
      }
    }
  }
}

const checker = new Sr25519WorkerChecker();

/** Whether an sr25519 signature (schnorrkel, "substrate" context) over `message` verifies. */
export async function sr25519Check(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array, via: Sr25519WorkerChecker = checker): Promise<boolean> {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  // The identity (all zeros, ristretto255's only point of small order): the WebAssembly
  // schnorrkel accepts R = s·B, made with no secret, for any message under it.
  if (publicKey.every((b) => b === 0)) return false;
  return (await via.check(message, signature, publicKey)) ?? checkHere(message, signature, publicKey);
}

/** The node's checker: its state, the checks it answered, and its failures (logged by the node). */
export const sr25519Checker = checker;
