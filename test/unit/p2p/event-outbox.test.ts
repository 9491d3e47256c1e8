import assert from 'node:assert/strict';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { describe, it } from 'node:test';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { emptyState } from '../../../src/domain/charge-point.ts';
import { gatewayKeyFrom } from '../../../src/crypto/gateway-key.ts';
import { ed25519Verify } from '../../../src/crypto/ed25519.ts';
import { EventOutbox } from '../../../src/p2p/event-outbox.ts';
import { stationTopic } from '../../../src/p2p/protocol.ts';
import { codecFor } from '../../../src/proto/codec.ts';
import { DOMAIN, open, seal, sealBatch, signingBytes } from '../../../src/p2p/envelope.ts';
import { merkleLeaf, merkleRootFrom, merkleTree } from '../../../src/crypto/merkle.ts';

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
    for (const r of [...first, ...second]) await open(r.envelope, { domain: DOMAIN.event, signer: key.publicKey });
    assert.ok(all.every((e) => e.nonce.length === 16));
  });

  it('signs the events of every change of one event-loop turn once, and each event still verifies alone (seen: a signature per status change)', async () => {
    const key = gatewayKeyFrom(await generateKeyPair('Ed25519'));
    let signatures = 0;
    const signer = { publicKey: key.publicKey, scheme: 'ED25519' as const, sign: (m: Uint8Array) => { signatures++; return key.sign(m); } };
    const outbox = new EventOutbox(signer, new Map());
    // Fifty stations' status changes handled in the same turn, as under load.
    const changes = await Promise.all(Array.from({ length: 50 }, (_, i) => outbox.project([{ type: 'stationChanged' as const, identity: `B${i}`, state: emptyState(`B${i}`) }])));
    assert.equal(signatures, 1, 'one signature for the turn');
    const decoded = changes.flat().map((r) => envelopes.decode(r.envelope));
    assert.deepEqual(decoded.map((e) => [e.batchIndex, e.batchSize]), decoded.map((_, i) => [i, 50]));
    for (const r of changes.flat()) {
      const e = await open(r.envelope, { domain: DOMAIN.event, signer: key.publicKey });
      assert.equal(e.topic, r.topic);
    }
    // A change alone in its turn is signed as before: no batch fields, its signature over its own SigningInput.
    const [alone] = await outbox.project([{ type: 'stationChanged' as const, identity: 'ALONE', state: emptyState('ALONE') }]);
    const single = envelopes.decode(alone!.envelope);
    assert.equal(single.batchSize, 0);
    assert.ok(ed25519Verify(key.publicKey, signingBytes(single), single.signature));
  });

  it('gives the numbers of changes that did not commit out again, whatever order they failed in', async () => {
    const key = gatewayKeyFrom(await generateKeyPair('Ed25519'));
    let failSigning = false;
    const signer = { publicKey: key.publicKey, scheme: 'ED25519' as const, sign: (m: Uint8Array) => { if (failSigning) throw new Error('no key'); return key.sign(m); } };
    const event = [{ type: 'stationChanged' as const, identity: 'X', state: emptyState('X') }];
    // A group commit of b and c failed; b's failure is handled first, or c's: the same.
    for (const order of ['b, c', 'c, b']) {
      const other = new EventOutbox(signer, new Map([[stationTopic('X'), 4]]));
      const [, b, c] = [await other.project(event), await other.project(event), await other.project(event)];
      for (const failed of order === 'b, c' ? [b, c] : [c, b]) other.release(failed);
      assert.equal((await other.project(event))[0]!.seq, 6, `released ${order}: right after the last that committed`);
    }
    const outbox = new EventOutbox(signer, new Map([[stationTopic('X'), 5]]));
    const changed = () => outbox.project(event);
    assert.equal((await changed())[0]!.seq, 6);
    // A number below one still out comes back only once that one is released too.
    const [d, e] = [await changed(), await changed()];
    outbox.release(d);
    assert.equal((await changed())[0]!.seq, 9, 'e (8) is still out: 7 waits');
    outbox.release(e);
    // Signing failed: nothing was handed out.
    failSigning = true;
    await assert.rejects(changed(), /no key/);
    failSigning = false;
    assert.equal((await changed())[0]!.seq, 10, 'after 9, the last still out');
  });

  it('queues an event for publishing only when a peer follows its topic (every event until libp2p can tell)', async () => {
    const key = gatewayKeyFrom(await generateKeyPair('Ed25519'));
    const outbox = new EventOutbox({ publicKey: key.publicKey, scheme: 'ED25519' as const, sign: key.sign }, new Map());
    const changed = (identity: string) => ({ type: 'stationChanged' as const, identity, state: emptyState(identity) });
    assert.deepEqual((await outbox.project([changed('EARLY')])).map((r) => r.followed), [true]);
    outbox.audience((topic) => topic.endsWith('/WATCHED'));
    const records = await Promise.all([outbox.project([changed('WATCHED')]), outbox.project([changed('QUIET')])]);
    assert.deepEqual(records.flat().map((r) => [r.topic.split('/').pop(), r.followed]), [['WATCHED', true], ['QUIET', false]]);
  });

  it('refuses a batched event whose path, place or batch was changed, or that claims another event\'s signature, also once its batch has verified', async () => {
    const key = gatewayKeyFrom(await generateKeyPair('Ed25519'));
    const other = gatewayKeyFrom(await generateKeyPair('Ed25519'));
    const signer = { publicKey: key.publicKey, scheme: 'ED25519' as const, sign: key.sign };
    const items = Array.from({ length: 7 }, (_, i) => ({ domain: DOMAIN.event, payload: new Uint8Array([i]), topic: `t${i}`, seq: 1 }));
    const bytes = await sealBatch(signer, items);
    // A wallet has verified the whole batch (its root's signature is remembered) before the forgeries come.
    for (const b of bytes) await open(b, { domain: DOMAIN.event, signer: key.publicKey });
    const sealed = bytes.map((b) => envelopes.decode(b));
    const lone = envelopes.decode(await seal(signer, { domain: DOMAIN.event, payload: new Uint8Array([9]), topic: 'x', seq: 1 }));
    const e = sealed[3]!;
    const forged = [
      { ...e, payload: new Uint8Array([42]) },
      { ...e, batchIndex: 4 },
      { ...e, batchSize: 8 },
      { ...e, batchPath: e.batchPath.slice(1) },
      { ...e, batchPath: [...e.batchPath, e.batchPath[0]!] },
      { ...e, batchPath: [sealed[0]!.batchPath[0]!, ...e.batchPath.slice(1)] },
      { ...lone, signature: e.signature, batchPath: e.batchPath, batchIndex: 3, batchSize: 7 },
      { ...e, domain: DOMAIN.response },
      { ...e, scheme: 'SR25519' as const },
    ];
    for (const f of forged) {
      await assert.rejects(open(envelopes.encode(f), { domain: f.domain as typeof DOMAIN.event, signer: key.publicKey }), /signature|path|batches/, JSON.stringify([f.batchIndex, f.batchSize, f.batchPath.length]));
    }
    // The same batch, claimed by another key: checked against that key, and refused.
    await assert.rejects(open(envelopes.encode({ ...e, signer: other.publicKey }), { domain: DOMAIN.event }), /signature/);
  });

  it('seals batches that a wallet verifies from node.proto\'s description alone (leaf, node, odd level, root)', async () => {
    const key = gatewayKeyFrom(await generateKeyPair('Ed25519'));
    const signer = { publicKey: key.publicKey, scheme: 'ED25519' as const, sign: key.sign };
    const roots = codecFor('cgw.BatchRoot');
    // Written from the comments on SignedEnvelope, not from src/crypto/merkle.ts.
    const sha256 = (...parts: Uint8Array[]) => parts.reduce((h, p) => h.update(p), createHash('sha256')).digest();
    const rootOf = (e: ReturnType<typeof envelopes.decode>): Buffer => {
      let node = sha256(Buffer.from([0]), signingBytes(e));
      let [index, width, used] = [e.batchIndex, e.batchSize, 0];
      for (; width > 1; width = Math.ceil(width / 2), index = Math.floor(index / 2)) {
        if (index === width - 1 && width % 2 === 1) continue;
        const sibling = e.batchPath[used++]!;
        node = index % 2 === 0 ? sha256(Buffer.from([1]), node, sibling) : sha256(Buffer.from([1]), sibling, node);
      }
      assert.equal(used, e.batchPath.length);
      return node;
    };
    for (const size of [2, 3, 5, 8, 13]) {
      const items = Array.from({ length: size }, (_, i) => ({ domain: DOMAIN.event, payload: new Uint8Array([i]), topic: `t/${i}`, seq: i + 1 }));
      for (const bytes of await sealBatch(signer, items)) {
        const e = envelopes.decode(bytes);
        const signed = roots.encode({ domain: 'cgw/event-batch/v1', signer: e.signer, scheme: e.scheme, root: rootOf(e), size: e.batchSize });
        assert.ok(verify(null, signed, createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), e.signer]), format: 'der', type: 'spki' }), e.signature), `size ${size}, event ${e.batchIndex}`);
      }
    }
  });

  it('builds hash trees whose every path leads to the root, for every batch size up to 40', () => {
    for (let size = 1; size <= 40; size++) {
      const leaves = Array.from({ length: size }, (_, i) => merkleLeaf(new Uint8Array([i, size])));
      const { root, paths } = merkleTree(leaves);
      for (let i = 0; i < size; i++) {
        assert.deepEqual(merkleRootFrom(leaves[i]!, i, size, paths[i]!), root, `size ${size}, leaf ${i}`);
        assert.ok(paths[i]!.length <= Math.ceil(Math.log2(size)));
      }
      if (size > 1) assert.equal(merkleRootFrom(leaves[0]!, size, size, paths[0]!), undefined, 'a place outside the batch');
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
