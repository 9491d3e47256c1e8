// A stand-in for src/crypto/sr25519-worker.ts that misbehaves on command, for the checker's
// failure tests. Its behaviour comes from CGW_TEST_SR25519_WORKER (the worker gets the
// environment the process had when it started): answer (every check "valid" after 20 ms),
// hang (ready, then never answers), crash-after-ready, exit-on-check, throw-on-check, never-ready.
import { parentPort, workerData } from 'node:worker_threads';

const port = parentPort!;
const finished = (workerData as { finished: Int32Array }).finished;
const mode = process.env.CGW_TEST_SR25519_WORKER ?? 'answer';
if (mode !== 'never-ready') port.postMessage('ready');
if (mode === 'crash-after-ready') setTimeout(() => process.exit(3), 20);
port.on('message', ({ id }: { id: number }) => {
  if (mode === 'exit-on-check') process.exit(4);
  if (mode === 'throw-on-check') throw new Error('the stand-in worker threw');
  if (mode !== 'answer') return;
  setTimeout(() => {
    Atomics.add(finished, 0, 1);
    port.postMessage({ id, valid: true });
  }, 20);
});
