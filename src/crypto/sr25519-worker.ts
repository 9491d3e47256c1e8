// A worker thread that checks sr25519 signatures with polkadot-js's WebAssembly build of
// schnorrkel (0.5-0.7 ms a check, against 3-3.5 ms for the pure-JS @scure/sr25519). Loading it
// takes about half a second of CPU, spent here rather than on the node's event loop.
import { parentPort, workerData } from 'node:worker_threads';
import { sr25519Verify, waitReady } from '@polkadot/wasm-crypto';

/** A check: public key (32 bytes), signature (64) and message, packed in one buffer. */
export interface Sr25519Job { id: number; packed: ArrayBuffer }
export interface Sr25519Answer { id: number; valid: boolean }

const port = parentPort;
if (!port) throw new Error('sr25519-worker.ts runs as a worker thread');
// Checks finished, counted where the node's watchdog reads them without a message.
const finished = (workerData as { finished: Int32Array }).finished;
if (!(await waitReady())) throw new Error('the WebAssembly build of sr25519 did not load');
port.on('message', ({ id, packed }: Sr25519Job) => {
  const bytes = new Uint8Array(packed);
  let valid = false;
  try {
    valid = sr25519Verify(bytes.subarray(32, 96), bytes.subarray(96), bytes.subarray(0, 32));
  } catch {
    // A malformed key or signature is a signature that does not verify.
  }
  Atomics.add(finished, 0, 1);
  port.postMessage({ id, valid } satisfies Sr25519Answer);
});
port.postMessage('ready');
