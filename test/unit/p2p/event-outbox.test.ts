import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { emptyState } from '../../../src/domain/charge-point.ts';
import { gatewayKeyFrom } from '../../../src/crypto/gateway-key.ts';
import { ed25519Verify } from '../../../src/crypto/ed25519.ts';
import { EventOutbox } from '../../../src/p2p/event-outbox.ts';
import { codecFor } from '../../../src/proto/codec.ts';
import { signingBytes } from '../../../src/p2p/envelope.ts';

const envelopes = codecFor('cgw.SignedEnvelope');

describe('signed events: nonces and signatures', () => {
  it('gives every event its own nonce, also across two outboxes of the same key (a restart)', async () => {
    const key = gatewayKeyFrom(await generateKeyPair('Ed25519'));
    const signer = { publicKey: key.publicKey, scheme: 'ED25519' as const, sign: key.sign };
    const changed = (n: number) => Array.from({ length: n }, (_, i) => ({ type: 'stationChanged' as const, identity: `N${i}`, state: emptyState(`N${i}`) }));
    const first = await new EventOutbox(signer, new Map()).project(changed(200));
    // A second process that lost its counters (a reset data folder) numbers from 1 again.
    const second = await new EventOutbox(signer, new Map()).project(changed(200));
    const all = [...first, ...second].map((r) => envelopes.decode(r.envelope));
    assert.equal(new Set(all.map((e) => Buffer.from(e.nonce).toString('hex'))).size, 400, 'no nonce twice');
    assert.deepEqual(first.map((r) => r.seq), second.map((r) => r.seq), 'the same topics and numbers');
    for (const e of all.slice(0, 5).concat(all.slice(-5))) {
      assert.equal(e.nonce.length, 16);
      assert.ok(ed25519Verify(key.publicKey, signingBytes(e), e.signature), 'each event verifies with the gateway key');
    }
  });

  it('signs for libp2p exactly as libp2p\'s own key does (one prepared key object, the same bytes)', async () => {
    const original = await generateKeyPair('Ed25519');
    const prepared = gatewayKeyFrom(original).libp2pKey;
    const message = new TextEncoder().encode('gossipsub message to sign');
    assert.deepEqual(await prepared.sign(message), await original.sign(message));
    assert.ok(prepared.equals(original) && prepared.publicKey.equals(original.publicKey));
  });
});
