// sr25519 checks in the WebAssembly worker give what the pure-JS check gives, for signatures
// from polkadot-js (as peaq wallets sign) and forgeries alike: before the worker is ready, once
// it answers (many checks at once, each answered with its own result), after it is gone, and
// from the worker started again. Seen (review): the WebAssembly schnorrkel accepted R = s·B,
// made with no secret, for any message under the all-zero key (the identity).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { verify as verifyInJs } from '@scure/sr25519';
import { RistrettoPoint } from '@noble/curves/ed25519';
import { cryptoWaitReady, sr25519PairFromSeed, sr25519Sign } from '@polkadot/util-crypto';
import { sr25519Check, sr25519Checker } from '../../../src/crypto/sr25519.ts';
import { verifySignature } from '../../../src/crypto/signatures.ts';

interface Case { name: string; message: Uint8Array; signature: Uint8Array; publicKey: Uint8Array }

const flip = (bytes: Uint8Array, at: number, mask = 1): Uint8Array => {
  const out = new Uint8Array(bytes);
  out[at]! ^= mask;
  return out;
};

const le32 = (n: bigint): Uint8Array => Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 255n));

/** R = s·B ‖ s with schnorrkel's marker: verifies under the identity for any message, to a check that lets it. */
function identityForgery(s: bigint): Uint8Array {
  const signature = new Uint8Array(64);
  signature.set(RistrettoPoint.BASE.multiply(s).toRawBytes(), 0);
  signature.set(le32(s), 32);
  signature[63]! |= 0x80;
  return signature;
}

function cases(): Case[] {
  const pair = sr25519PairFromSeed(randomBytes(32));
  const other = sr25519PairFromSeed(randomBytes(32));
  const message = randomBytes(100);
  const signature = sr25519Sign(message, pair);
  return [
    { name: 'a valid signature', message, signature, publicKey: pair.publicKey },
    { name: 'an empty message, validly signed', message: new Uint8Array(0), signature: sr25519Sign(new Uint8Array(0), pair), publicKey: pair.publicKey },
    { name: 'another message', message: flip(message, 0), signature, publicKey: pair.publicKey },
    { name: 'a changed signature (R)', message, signature: flip(signature, 5), publicKey: pair.publicKey },
    { name: 'a changed signature (s)', message, signature: flip(signature, 40), publicKey: pair.publicKey },
    { name: 'without schnorrkel\'s marker bit', message, signature: flip(signature, 63, 0x80), publicKey: pair.publicKey },
    { name: 'another key', message, signature, publicKey: other.publicKey },
    { name: 'a key that is no point', message, signature, publicKey: new Uint8Array(32).fill(0xff) },
    { name: 'a zero key', message, signature, publicKey: new Uint8Array(32) },
    { name: 'the identity key with R = s·B (no secret)', message, signature: identityForgery(BigInt(1 + message[0]!)), publicKey: new Uint8Array(32) },
    { name: 'a zero signature', message, signature: new Uint8Array(64), publicKey: pair.publicKey },
  ];
}

function expected(c: Case): boolean {
  try {
    return verifyInJs(c.message, c.signature, c.publicKey);
  } catch {
    return false;
  }
}

async function assertAgrees(list: Case[]): Promise<void> {
  for (const c of list) assert.equal(await sr25519Check(c.message, c.signature, c.publicKey), expected(c), `${c.name} (${sr25519Checker.state})`);
}

describe('sr25519 checks', () => {
  before(async () => {
    await cryptoWaitReady();
  });

  it('start the worker on the first check and agree with the pure-JS check meanwhile', async () => {
    assert.equal(sr25519Checker.state, 'idle');
    const list = cases();
    assert.equal(expected(list[0]!), true);
    await assertAgrees(list);
    assert.notEqual(sr25519Checker.state, 'idle');
  });

  it('agree with the pure-JS check once the worker answers', async () => {
    for (let i = 0; i < 200 && sr25519Checker.state === 'starting'; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(sr25519Checker.state, 'ready');
    const answered = sr25519Checker.answered;
    for (let round = 0; round < 3; round++) await assertAgrees(cases());
    assert.ok(sr25519Checker.answered >= answered + 27, 'the worker answered the checks');
  });

  it('answer many checks at once, each with its own result', async () => {
    const list = Array.from({ length: 40 }, () => cases()).flat();
    const results = await Promise.all(list.map((c) => sr25519Check(c.message, c.signature, c.publicKey)));
    assert.deepEqual(results, list.map(expected));
    assert.equal(sr25519Checker.state, 'ready');
  });

  it('check a polkadot-js signRaw signature (the message wrapped in <Bytes>) through the worker', async () => {
    const pair = sr25519PairFromSeed(randomBytes(32));
    const message = randomBytes(64);
    const wrapped = Buffer.concat([Buffer.from('<Bytes>'), message, Buffer.from('</Bytes>')]);
    assert.equal(await verifySignature('SR25519', pair.publicKey, message, sr25519Sign(wrapped, pair)), true);
    assert.equal(await verifySignature('SR25519', pair.publicKey, flip(message, 3), sr25519Sign(wrapped, pair)), false);
  });

  it('let a script that checks signatures get its answers and exit (the worker holds the process only while checks wait)', () => {
    const module = new URL('../../../src/crypto/sr25519.ts', import.meta.url).href;
    const scure = import.meta.resolve('@scure/sr25519');
    const script = `
      import { sr25519Check, sr25519Checker } from ${JSON.stringify(module)};
      import * as sr from ${JSON.stringify(scure)};
      const secret = sr.secretFromSeed(new Uint8Array(32).fill(7));
      const message = new TextEncoder().encode('one request');
      const signature = sr.sign(secret, message);
      const first = await sr25519Check(message, signature, sr.getPublicKey(secret));
      while (sr25519Checker.state === 'starting') await new Promise((r) => setTimeout(r, 20));
      console.log(first, sr25519Checker.state, await sr25519Check(message, signature, sr.getPublicKey(secret)));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim(), 'true ready true');
  });

  it('go on checking on the calling thread when the worker is gone', async () => {
    const inFlight = Array.from({ length: 10 }, () => cases()).flat();
    const pending = inFlight.map((c) => sr25519Check(c.message, c.signature, c.publicKey));
    await sr25519Checker.stop();
    // Given back when the worker ended (terminate() resolves on its exit), not after the watchdog's second.
    assert.equal(sr25519Checker.state, 'failed');
    assert.deepEqual(await Promise.all(pending), inFlight.map(expected), 'the checks in flight are answered here');
    const answered = sr25519Checker.answered;
    await assertAgrees(cases());
    assert.equal(sr25519Checker.answered, answered, 'checked here while the worker is down');
  });

  it('start a worker again a few seconds after one failed', async () => {
    for (let i = 0; i < 300 && sr25519Checker.state !== 'ready'; i++) {
      await assertAgrees(cases().slice(0, 1));
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(sr25519Checker.state, 'ready');
    const answered = sr25519Checker.answered;
    await assertAgrees(cases());
    assert.ok(sr25519Checker.answered > answered, 'the new worker answers');
  });
});
