import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { Level } from 'level';
import { gatewayKeyFrom } from '../../../src/crypto/gateway-key.ts';
import { emptyState } from '../../../src/domain/charge-point.ts';
import { emptyChange } from '../../../src/domain/change.ts';
import type { DomainEvent } from '../../../src/domain/events.ts';
import { ChargePointService } from '../../../src/domain/charge-point-service.ts';
import { EventOutbox } from '../../../src/p2p/event-outbox.ts';
import { codecFor } from '../../../src/proto/codec.ts';
import { consumerTopic, stationTopic } from '../../../src/p2p/protocol.ts';
import { LevelStore } from '../../../src/store/level-store.ts';
import { lastTopicSeqs, signerOf } from '../../../gateway/p2p.ts';
import { tempDir } from '../../helpers/gateway.ts';

// Each topic's events are numbered 1, 2, 3, ... across restarts, with no number given out twice
// (a wallet drops a number it has seen; the archive keeps one event per number). A station's own
// topic is numbered in the station's state record, which every change of the station writes
// anyway, instead of in a counter record of its own per event (one LevelDB write fewer per
// status change; BENCHMARKS.md).
const TARIFF = { pricePerKwh: '0', pricePerMinute: '0', sessionFee: '0', currency: 'PEAQ', decimals: 18 };
const envelopes = codecFor('cgw.SignedEnvelope');

describe('event numbering across restarts, with the station topic numbered in the station state', () => {
  const folders: string[] = [];
  after(() => { for (const f of folders) rmSync(f, { recursive: true, force: true }); });

  /** A node on a data folder of its own (removed after the tests). */
  const startedFresh = async () => {
    const folder = tempDir();
    folders.push(folder);
    return { folder, node: await started(folder) };
  };
  const started = async (folder: string) => {
    const store = await LevelStore.open(folder);
    const signer = signerOf(gatewayKeyFrom(await generateKeyPair('Ed25519')));
    const outbox = new EventOutbox(signer, await lastTopicSeqs(store));
    const service = new ChargePointService({ repository: store, authorization: { acceptUnknownIdTags: true }, tariff: TARIFF, outbox });
    return { store, outbox, service };
  };
  /** A station's status change through the domain service; the numbers its events got. */
  let flips = 0;
  const stationChange = async (node: Awaited<ReturnType<typeof started>>, identity: string) => {
    const before = await archived(node.store, stationTopic(identity));
    await node.service.status({ identity, isCurrent: () => true }, { connectorId: 1, status: flips++ % 2 ? 'Available' : 'Preparing', stationTime: '2026-12-07T20:00:00.000Z' });
    return (await archived(node.store, stationTopic(identity))).slice(before.length).map((seq) => `${stationTopic(identity)}#${seq}`);
  };
  const archived = async (store: LevelStore, topic: string) => (await store.events.eventsAfter(topic, 0, 1_000)).map((e) => envelopes.decode(e).seq);
  /** A change with events on a consumer topic, committed straight to the store (the service makes those only inside a session). */
  const commitChange = async (node: Awaited<ReturnType<typeof started>>, identity: string, events: (state: ReturnType<typeof emptyState>) => DomainEvent[]) => {
    const state = (await node.store.stations.loadState(identity)) ?? emptyState(identity);
    const change = emptyChange(identity, state);
    change.outbox.push(...(await node.outbox.project(events(state))));
    await node.store.commit(change);
    return change.outbox.map((r) => `${r.topic}#${r.seq}`);
  };
  /** Topics with a counter record of their own. */
  const counters = async (store: LevelStore) => [...(await store.events.topicSeqs()).keys()];

  it('writes no counter record for a station topic, and continues its numbering after a restart', async () => {
    const fresh = await startedFresh();
    const { folder } = fresh;
    let { node } = fresh;
    assert.deepEqual(await stationChange(node, 'EN-1'), [`${stationTopic('EN-1')}#1`]);
    assert.deepEqual(await stationChange(node, 'EN-1'), [`${stationTopic('EN-1')}#2`]);
    assert.deepEqual(await counters(node.store), [], 'the number lives in the state record');
    await node.store.close();
    node = await started(folder);
    assert.deepEqual(await stationChange(node, 'EN-1'), [`${stationTopic('EN-1')}#3`], 'on from the last number, none given twice');
    assert.deepEqual((await node.store.events.eventsAfter(stationTopic('EN-1'), 0, 10)).length, 3);
    await node.store.close();
  });

  it('keeps a counter for a consumer topic (its events come from changes of any station)', async () => {
    const fresh = await startedFresh();
    const { folder } = fresh;
    let { node } = fresh;
    const consumer = 'ab'.repeat(32);
    const sessionStarted = (identity: string) => (): DomainEvent[] => [{
      type: 'sessionStarted', identity,
      session: { id: `S-${identity}`, consumerKeyHex: consumer, consumerPublicKey: consumer } as never, transaction: { id: 1, connectorId: 1 } as never,
    }];
    assert.deepEqual(await commitChange(node, 'EN-2', sessionStarted('EN-2')), [`${consumerTopic(consumer)}#1`]);
    assert.deepEqual(await counters(node.store), [consumerTopic(consumer)]);
    await node.store.close();
    node = await started(folder);
    assert.deepEqual(await commitChange(node, 'EN-3', sessionStarted('EN-3')), [`${consumerTopic(consumer)}#2`], 'on after a restart, from another station');
    await node.store.close();
  });

  it('continues a deleted station\'s numbering when a station of that name comes back', async () => {
    const fresh = await startedFresh();
    const { folder } = fresh;
    let { node } = fresh;
    await stationChange(node, 'EN-4');
    await stationChange(node, 'EN-4');
    await node.store.deleteStation('EN-4');
    await node.store.close();
    node = await started(folder);
    assert.deepEqual(await stationChange(node, 'EN-4'), [`${stationTopic('EN-4')}#3`], 'its archived numbers are not given out again');
    await node.store.close();
  });

  it('takes the higher number where a data folder from before also holds a counter for the station topic', async () => {
    const fresh = await startedFresh();
    const { folder } = fresh;
    let { node } = fresh;
    await stationChange(node, 'EN-5');
    await node.store.close();
    // What an older node wrote: a counter per topic, here ahead of the state's number.
    const raw = new Level<string, string>(folder);
    await raw.put(`oc:${stationTopic('EN-5')}`, '7');
    await raw.close();
    node = await started(folder);
    assert.deepEqual(await stationChange(node, 'EN-5'), [`${stationTopic('EN-5')}#8`]);
    await node.store.close();
  });
});
