// A worker thread that checks sr25519 signatures with polkadot-js's WebAssembly build of
// schnorrkel (0.5-0.7 ms a check, against 3-3.5 ms for the pure-JS @scure/sr25519). Loading it
// takes about half a second of CPU, spent here rather than on the node's event loop.
import { parentPort } from 'node:worker_threads';
import { sr25519Verify, waitReady } from '@polkadot/wasm-crypto';

export interface Sr25519Job { id: number; message: Uint8Array; signature: Uint8Array; publicKey: Uint8Array }
export interface Sr25519Answer { id: number; valid: boolean }

const port = parentPort;
if (!port) throw new Error('sr25519-worker.ts runs as a worker thread');
if (!(await waitReady())) throw new Error('the WebAssembly build of sr25519 did not load');
port.on('message', (job: Sr25519Job) => {
  let valid = false;
  try {
    valid = sr25519Verify(job.signature, job.message, job.publicKey);
  } catch {
    // A malformed key or signature is a signature that does not verify.
  }
  port.postMessage({ id: job.id, valid } satisfies Sr25519Answer);
});
port.postMessage('ready');
