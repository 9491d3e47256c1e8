// How the sr25519 checker lives with a worker that misbehaves (a stand-in worker, on command):
// a hung worker is ended and its checks are made on the calling thread; a worker is handed at
// most its share of checks at once; a crash is reported once, whatever events it makes; a worker
// that keeps failing is started again later and later; one never ready is given up.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as sr from '@scure/sr25519';
import { Sr25519WorkerChecker, sr25519Check, type Sr25519WorkerOptions } from '../../../src/crypto/sr25519.ts';

const STAND_IN = new URL('../../helpers/sr25519-stand-in-worker.ts', import.meta.url);
const secret = sr.secretFromSeed(new Uint8Array(32).fill(5));
const publicKey = sr.getPublicKey(secret);
const message = new TextEncoder().encode('a request');
const valid = sr.sign(secret, message);
// The stand-in answers "valid" to everything: a forged signature read as valid was answered by it.
const forged = new Uint8Array(valid).map((b, i) => (i === 10 ? b ^ 1 : b));

function checkerIn(mode: string, options: Partial<Sr25519WorkerOptions> = {}): { checker: Sr25519WorkerChecker; failures: { at: number; reason: string }[] } {
  process.env.CGW_TEST_SR25519_WORKER = mode;
  const checker = new Sr25519WorkerChecker({ workerUrl: STAND_IN, silenceMs: 200, startMs: 300, restartAfterMs: 50, ...options });
  const failures: { at: number; reason: string }[] = [];
  checker.onFailure((reason) => failures.push({ at: Date.now(), reason }));
  // A listener that throws is the listener's problem.
  checker.onFailure(() => { throw new Error('a listener failed'); });
  return { checker, failures };
}

async function untilReady(checker: Sr25519WorkerChecker): Promise<void> {
  for (let i = 0; i < 400 && checker.state !== 'ready'; i++) {
    await sr25519Check(message, valid, publicKey, checker);
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.equal(checker.state, 'ready');
}

describe('the sr25519 checker with a misbehaving worker', () => {
  it('ends a hung worker and makes its checks on the calling thread, reporting it once', async () => {
    const { checker, failures } = checkerIn('hang');
    await untilReady(checker);
    const results = await Promise.all([valid, forged, valid].map((signature) => sr25519Check(message, signature, publicKey, checker)));
    assert.deepEqual(results, [true, false, true], 'the pure-JS answers');
    assert.equal(checker.state, 'failed');
    assert.equal(failures.length, 1);
    assert.match(failures[0]!.reason, /finished no check/);
  });

  it('hands the worker at most its share of checks at once, and the worker answers them all', async () => {
    const { checker, failures } = checkerIn('answer', { inFlight: 4 });
    await untilReady(checker);
    let most = 0;
    const pending = Array.from({ length: 20 }, () => sr25519Check(message, forged, publicKey, checker));
    const sampler = setInterval(() => { most = Math.max(most, checker.inWorker); }, 1);
    const results = await Promise.all(pending);
    clearInterval(sampler);
    assert.deepEqual(results, Array(20).fill(true), 'every answer came from the worker');
    assert.equal(checker.answered, 20);
    assert.ok(most > 0 && most <= 4, `at most 4 checks in the worker at once (saw ${most})`);
    assert.deepEqual(failures, []);
    await checker.stop();
  });

  // Seen (review): the watchdog took the event loop's own stall for the worker's silence and
  // ended a healthy worker for good. It counts the checks the worker finished instead.
  it('does not take a stalled event loop for a hung worker', async () => {
    const { checker, failures } = checkerIn('answer', { silenceMs: 200 });
    await untilReady(checker);
    const pending = Array.from({ length: 8 }, () => sr25519Check(message, forged, publicKey, checker));
    // Held in a setImmediate callback: the next turn runs the (overdue) timers before it reads the
    // worker's answers that came meanwhile.
    await new Promise<void>((resolve) => setImmediate(() => {
      const stallUntil = Date.now() + 600;
      while (Date.now() < stallUntil) { /* the event loop is held; the worker goes on */ }
      resolve();
    }));
    assert.deepEqual(await Promise.all(pending), Array(8).fill(true), 'answered by the worker');
    assert.deepEqual(failures, []);
    assert.equal(checker.state, 'ready');
    await checker.stop();
  });

  // Seen (review): a worker that failed with hundreds of checks waiting gave them all back at
  // once, and their pure-JS checks held the event loop for seconds. They come back a few per turn.
  it('gives a failed worker\'s checks back a few per turn, so other work runs between them', async () => {
    const { checker, failures } = checkerIn('hang', { silenceMs: 200 });
    await untilReady(checker);
    let done = 0;
    let doneWhenOtherWorkRan: number | undefined;
    const pending = Array.from({ length: 100 }, () => sr25519Check(message, valid, publicKey, checker).then((ok) => {
      if (done++ === 0) setImmediate(() => { doneWhenOtherWorkRan = done; });
      return ok;
    }));
    assert.deepEqual(await Promise.all(pending), Array(100).fill(true));
    assert.equal(failures.length, 1);
    assert.ok(doneWhenOtherWorkRan !== undefined && doneWhenOtherWorkRan < 100, `other work ran after ${doneWhenOtherWorkRan} of 100 checks`);
  });

  for (const mode of ['exit-on-check', 'throw-on-check']) {
    it(`reports a worker that dies on a check (${mode}) once, and answers the check on the calling thread`, async () => {
      const { checker, failures } = checkerIn(mode, { restartAfterMs: 60_000 });
      await untilReady(checker);
      assert.equal(await sr25519Check(message, forged, publicKey, checker), false);
      assert.equal(await sr25519Check(message, valid, publicKey, checker), true);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(failures.length, 1, failures.map((f) => f.reason).join('; '));
      assert.equal(checker.state, 'failed');
    });
  }

  it('starts a worker that keeps failing later and later', async () => {
    const { checker, failures } = checkerIn('crash-after-ready');
    for (const until = Date.now() + 5_000; failures.length < 4 && Date.now() < until;) {
      assert.equal(await sr25519Check(message, valid, publicKey, checker), true);
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.equal(failures.length, 4);
    // Each restart waited at least its delay: 50, 100, 200 ms.
    for (let i = 1; i < failures.length; i++) {
      const gap = failures[i]!.at - failures[i - 1]!.at;
      assert.ok(gap >= 50 * 2 ** (i - 1), `restart ${i} came ${gap} ms after the failure before`);
    }
  });

  it('gives up a worker that never gets ready', async () => {
    const { checker, failures } = checkerIn('never-ready', { restartAfterMs: 60_000 });
    assert.equal(await sr25519Check(message, valid, publicKey, checker), true);
    for (let i = 0; i < 200 && !failures.length; i++) await new Promise((r) => setTimeout(r, 10));
    assert.match(failures[0]?.reason ?? '', /not ready/);
    assert.equal(checker.state, 'failed');
  });
});
