// What checking a consumer's request signature costs the gateway, by scheme and by the form the
// wallet signs (our SDK signs the message bare; polkadot-js's signRaw wraps it in <Bytes>…</Bytes>).
//   node bench/signature-verify.ts [checks=200]
// "new key" rows check each signature under a key not seen before (both forms may be tried);
// "same key" rows a wallet's later requests (the form that verified last is tried first).
// Checks run one after another; "wall" is the time a request waits for its check, "event loop"
// the time the node's event loop was busy with it (an sr25519 check runs in a worker thread
// once that is ready; the pure-JS rows are taken after the worker is stopped).
import { randomBytes } from 'node:crypto';
import { u8aWrapBytes } from '@polkadot/util';
import { cryptoWaitReady, sr25519PairFromSeed, sr25519Sign } from '@polkadot/util-crypto';
import nacl from 'tweetnacl';
import { performance } from 'node:perf_hooks';
import { verifySignature, type Scheme } from '../src/crypto/signatures.ts';
import { sr25519Checker } from '../src/crypto/sr25519.ts';

const checks = Number(process.argv[2] ?? 200);
await cryptoWaitReady();
const message = new Uint8Array(180).fill(7);

interface Wallet { scheme: Scheme; publicKey: Uint8Array; sign(m: Uint8Array): Uint8Array }
const wallet = (scheme: Scheme): Wallet => {
  const s = randomBytes(32);
  if (scheme === 'ED25519') {
    const pair = nacl.sign.keyPair.fromSeed(s);
    return { scheme, publicKey: pair.publicKey, sign: (m) => nacl.sign.detached(m, pair.secretKey) };
  }
  const pair = sr25519PairFromSeed(s);
  return { scheme, publicKey: pair.publicKey, sign: (m) => sr25519Sign(m, pair) };
};

async function µsPerCheck(scheme: Scheme, wrapped: boolean, sameKey: boolean): Promise<{ wall: number; loop: number }> {
  const wallets = Array.from({ length: sameKey ? 1 : checks }, () => wallet(scheme));
  const signed = Array.from({ length: checks }, (_, i) => {
    const w = wallets[sameKey ? 0 : i]!;
    return { w, signature: w.sign(wrapped ? u8aWrapBytes(message) : message) };
  });
  if (sameKey) await verifySignature(scheme, wallets[0]!.publicKey, message, signed[0]!.signature);
  const started = performance.now();
  const loopBefore = performance.eventLoopUtilization();
  for (const { w, signature } of signed) {
    if (!(await verifySignature(scheme, w.publicKey, message, signature))) throw new Error('a signature did not verify');
  }
  const loop = performance.eventLoopUtilization(loopBefore).active;
  return { wall: ((performance.now() - started) * 1000) / checks, loop: (loop * 1000) / checks };
}

async function rows(scheme: Scheme, where: string): Promise<void> {
  for (const wrapped of [false, true]) {
    for (const sameKey of [false, true]) {
      await µsPerCheck(scheme, wrapped, sameKey); // warm-up: compiled code, not the first calls, is what runs in a node
      const { wall, loop } = await µsPerCheck(scheme, wrapped, sameKey);
      console.log(`| ${scheme} | ${where} | ${wrapped ? 'wrapped (signRaw)' : 'bare'} | ${sameKey ? 'same key' : 'new key'} | ${wall.toFixed(0)} | ${loop.toFixed(0)} |`);
    }
  }
}

console.log('| scheme | checked in | form | key | µs per check, wall | µs of the event loop |\n|---|---|---|---|---|---|');
await rows('ED25519', 'the event loop');
await µsPerCheck('SR25519', false, true);
while (sr25519Checker.state === 'starting') await new Promise((r) => setTimeout(r, 50));
await rows('SR25519', `a worker (${sr25519Checker.state})`);
await sr25519Checker.stop();
await rows('SR25519', 'the event loop (pure JS)');
