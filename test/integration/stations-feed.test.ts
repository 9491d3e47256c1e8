// The stations feed over real libp2p, the gateway in its own process: a map app follows every
// station of the gateway with one subscription, and gets each station's events verified and in
// order, several to a gossipsub message (one message and one gossipsub signature per moment,
// not per event). A second peer reads the feed's messages as raw bytes, by field number.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { Message } from '@libp2p/gossipsub';
import { multiaddr } from '@multiformats/multiaddr';
import { peerIdFromString } from '@libp2p/peer-id';
import protobuf from 'protobufjs';
import { ConsumerClient, type GatewayEvent } from '../../src/consumer/client.ts';
import { loadOrCreateGatewayKey } from '../../src/crypto/gateway-key.ts';
import { signerOf } from '../../gateway/p2p.ts';
import { ed25519Signer } from '../../src/consumer/signer.ts';
import { DOMAIN, open, seal } from '../../src/p2p/envelope.ts';
import { codecFor } from '../../src/proto/codec.ts';
import { createP2pNode, type P2pNode } from '../../src/p2p/node.ts';
import { stationsFeedTopic, stationTopic } from '../../src/p2p/protocol.ts';
import { Charger } from '../helpers/charger.ts';
import { tempDir } from '../helpers/gateway.ts';
import { spawnGateway, type GatewayProcess } from '../helpers/process.ts';
import { eventually } from '../helpers/wait.ts';

const envelopes = codecFor('cgw.SignedEnvelope');
const bundleOf = (items: Uint8Array[]): Uint8Array => codecFor('cgw.EventBundle').encode({ envelopes: items });

/** A stations feed message from the gateway peer, handed to the wallet as gossipsub would (a relayed one, or one it missed). */
function asGatewayMessage(wallet: ConsumerClient, gatewayPeerId: string, envelopes: Uint8Array[]): void {
  wallet.node.services.pubsub.dispatchEvent(new CustomEvent('message', {
    detail: { type: 'signed', from: peerIdFromString(gatewayPeerId), topic: wallet.stationsTopic, data: bundleOf(envelopes) },
  }));
}

/** cgw.EventBundle read by hand: field 1, length-delimited, repeated (proto/node.proto). */
/**
 * A wallet following the feed, handed the fourth-last of a station's archived events as a
 * gateway message (which starts the station); `send` hands it more of them the same way.
 */
async function startedFromArchive(wallet: ConsumerClient, gatewayPeerId: string, topic: string): Promise<{ seen: string[]; archive: Uint8Array[]; n: number; send: (items: Uint8Array[]) => void }> {
  const seen: string[] = [];
  await wallet.followStations((e) => seen.push(`${e.topic}#${e.seq}`));
  const archive = (await wallet.request({ events: { topic, afterSeq: 0, limit: 1_000 } })).events!.envelopes;
  const n = archive.length;
  assert.ok(n >= 4);
  const send = (items: Uint8Array[]): void => asGatewayMessage(wallet, gatewayPeerId, items);
  send([archive[n - 4]!]);
  await eventually(() => seen.includes(`${topic}#${n - 3}`), 10_000, 'the first event starts the station');
  return { seen, archive, n, send };
}

function bundleEnvelopes(data: Uint8Array): Uint8Array[] {
  const reader = protobuf.Reader.create(data);
  const out: Uint8Array[] = [];
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag === ((1 << 3) | 2)) out.push(reader.bytes());
    else reader.skipType(tag & 7);
  }
  return out;
}

describe('the stations feed: every station of a gateway with one subscription (gateway in its own process)', () => {
  const dataDir = tempDir('cgw-feed-');
  let gateway: GatewayProcess;
  let wallet: ConsumerClient;
  let raw: P2pNode;
  const chargers: Charger[] = [];
  const rawMessages: Uint8Array[] = [];
  before(async () => {
    // A slow pace, so that events wait in the outbox and leave several to a message.
    gateway = await spawnGateway({ CGW_DATA_DIR: dataDir, CGW_P2P_MAX_EVENTS_PER_SECOND: '40', CGW_OCPP_MAX_MESSAGES_PER_SECOND: '1000' });
    wallet = await ConsumerClient.connect({ gateway: gateway.p2p[0]!, signer: ed25519Signer() });
    raw = await createP2pNode({ privateKey: await generateKeyPair('Ed25519'), listen: [], clientMode: true, dhtPrivateAddresses: false });
    await raw.dial(multiaddr(gateway.p2p[0]!));
    raw.services.pubsub.addEventListener('message', (evt: CustomEvent<Message>) => {
      if (evt.detail.topic === stationsFeedTopic(gateway.peerId)) rawMessages.push(evt.detail.data);
    });
  });
  after(async () => {
    for (const c of chargers) await c.close();
    await wallet?.close();
    await raw?.stop();
    await gateway?.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers every station\'s events, verified and in order, several to a gossipsub message', async () => {
    const events: GatewayEvent[] = [];
    await wallet.followStations((e) => events.push(e));
    assert.equal(wallet.stationsTopic, stationsFeedTopic(gateway.peerId));
    raw.services.pubsub.subscribe(stationsFeedTopic(gateway.peerId));
    // The gateway learns of both subscriptions from the peers themselves (no heartbeat needed).
    await new Promise((r) => setTimeout(r, 1_000));

    for (const identity of ['FEED-A', 'FEED-B']) chargers.push(await Charger.connect(gateway.ocppUrl, identity, 'ocpp1.6'));
    const CHANGES = 15;
    await Promise.all(chargers.map(async (charger) => {
      for (let i = 0; i < CHANGES; i++) await charger.status(1, i % 2 ? 'Available' : 'Preparing');
    }));

    for (const identity of ['FEED-A', 'FEED-B']) {
      const topic = stationTopic(identity);
      const archived = (await wallet.request({ events: { topic, afterSeq: 0, limit: 1_000 } })).events!.envelopes.length;
      assert.ok(archived >= CHANGES + 1, `${identity}: its boot and status changes are archived (${archived})`);
      await eventually(() => events.some((e) => e.topic === topic && e.seq === archived), 20_000, `${identity}'s last event arrives on the feed`);
      const seqs = events.filter((e) => e.topic === topic).map((e) => e.seq);
      assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => seqs[0]! + i), `${identity}: each number once, in order`);
      assert.ok(events.filter((e) => e.topic === topic).every((e) => ['BOOT_NOTIFICATION_REQUEST', 'NOTIFY_CHARGE_POINT_STATE_CHANGE'].includes(e.event.eventId)));
    }

    // The same messages, read by field number: each a bundle of envelopes the gateway signed.
    await eventually(() => rawMessages.length > 0, 10_000, 'the raw peer got the feed');
    const bundles = rawMessages.map(bundleEnvelopes);
    const topics = new Set<string>();
    for (const bundle of bundles) {
      for (const bytes of bundle) {
        const envelope = await open(bytes, { domain: DOMAIN.event, signer: wallet.gatewayKey });
        topics.add(envelope.topic);
      }
    }
    assert.deepEqual([...topics].sort(), [stationTopic('FEED-A'), stationTopic('FEED-B')]);
    const most = Math.max(...bundles.map((b) => b.length));
    assert.ok(most >= 2, `several events to a gossipsub message (at most ${most} in ${bundles.length} messages)`);
    assert.ok(bundles.length < events.length, `fewer messages (${bundles.length}) than events (${events.length})`);
  });

  it('drops what another peer publishes on the feed, and goes on with the gateway\'s events', async () => {
    const events: GatewayEvent[] = [];
    const fresh = await ConsumerClient.connect({ gateway: gateway.p2p[0]!, signer: ed25519Signer() });
    const hostile = await createP2pNode({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], dhtPrivateAddresses: false });
    try {
      await fresh.followStations((e) => events.push(e));
      // A wallet may be connected to other peers than its gateway (the DHT, other apps).
      await fresh.node.dial(hostile.getMultiaddrs()[0]!);
      const feed = stationsFeedTopic(gateway.peerId);
      hostile.services.pubsub.subscribe(feed);
      await eventually(() => hostile.services.pubsub.getSubscribers(feed).some((p) => p.equals(fresh.node.peerId)), 10_000, 'the hostile peer sees the wallet on the feed');
      // A genuine envelope from the archive, a copy with its number raised (its signature no
      // longer holds), one signed by the intruder, and bytes that are no bundle at all.
      const genuine = (await fresh.request({ events: { topic: stationTopic('FEED-A'), afterSeq: 0, limit: 1 } })).events!.envelopes[0]!;
      const raised = envelopes.decode(genuine);
      raised.seq = 999;
      const forged = await seal(ed25519Signer(), { domain: DOMAIN.event, payload: raised.payload, topic: stationTopic('FEED-A'), seq: 1_000 });
      for (const data of [bundleOf([genuine, envelopes.encode(raised), forged]), new Uint8Array([0xff, 0xff, 0xff]), bundleOf(Array.from({ length: 500 }, () => forged))]) {
        await hostile.services.pubsub.publish(feed, data);
      }
      await chargers[0]!.status(1, 'Faulted');
      await eventually(() => events.some((e) => e.topic === stationTopic('FEED-A')), 20_000, 'the gateway\'s next event arrives');
      const a = events.filter((e) => e.topic === stationTopic('FEED-A'));
      assert.equal(a.length, 1, `only the gateway's event: ${a.map((e) => e.seq).join()}`);
      const last = (await fresh.request({ events: { topic: stationTopic('FEED-A'), afterSeq: 0, limit: 1_000 } })).events!.envelopes.length;
      assert.equal(a[0]!.seq, last, 'its number is the archive\'s last');
    } finally {
      await hostile.stop();
      await fresh.close();
    }
  });

  it('goes on after the app\'s handler throws, and starts no station with an old event of the gateway relayed again', async () => {
    const fresh = await ConsumerClient.connect({ gateway: gateway.p2p[0]!, signer: ed25519Signer() });
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      const seen: string[] = [];
      let calls = 0;
      // The first call throws, the second returns a promise that rejects (an app writing to its database).
      await fresh.followStations((e) => {
        calls++;
        if (calls === 1) throw new Error('a bug in the app');
        if (calls === 2) return Promise.reject(new Error('the database is down')) as unknown as void;
        seen.push(`${e.topic}#${e.seq}`);
      });
      await new Promise((r) => setTimeout(r, 1_000));
      for (const status of ['Preparing', 'Available', 'Preparing', 'Available']) await chargers[1]!.status(1, status);
      await eventually(() => seen.length >= 2, 20_000, 'the events after the ones whose handler failed');
      await eventually(() => ['a bug in the app', 'the database is down'].every((m) => warnings.some((w) => w.includes(m))), 5_000, 'each failure is reported as a warning');

      // Two events the gateway signed (its own key), relayed to the wallet as a gateway message:
      // one an hour old, for a station the wallet has not seen; one of now.
      const { key } = await loadOrCreateGatewayKey(join(dataDir, 'gateway.key'));
      const payload = codecFor('events.Event').encode({ eventId: 'NOTIFY_CHARGE_POINT_STATE_CHANGE' });
      const envelope = (identity: string, timestampMs: number) => seal(signerOf(key), { domain: DOMAIN.event, payload, topic: stationTopic(identity), seq: 5, timestampMs });
      asGatewayMessage(fresh, gateway.peerId, [await envelope('FEED-OLD', Date.now() - 3_600_000), await envelope('FEED-NOW', Date.now())]);
      await eventually(() => seen.includes(`${stationTopic('FEED-NOW')}#5`), 10_000, 'a recent event starts its station');
      assert.ok(!seen.some((e) => e.startsWith(stationTopic('FEED-OLD'))), `the old one started nothing: ${seen.join()}`);
    } finally {
      process.off('warning', onWarning);
      await fresh.close();
    }
  });

  it('fills a station\'s gap from the gateway, in order', async () => {
    const fresh = await ConsumerClient.connect({ gateway: gateway.p2p[0]!, signer: ed25519Signer() });
    try {
      // FEED-A is quiet now; its archived events, as gateway messages the wallet gets: one, then
      // one three numbers on (two lost on the way).
      const topicA = stationTopic('FEED-A');
      const { seen, archive, n, send } = await startedFromArchive(fresh, gateway.peerId, topicA);
      send([archive[n - 1]!]);
      await eventually(() => seen.includes(`${topicA}#${n}`), 10_000, 'the gap and the event after it');
      assert.deepEqual(seen.filter((e) => e.startsWith(topicA)), [n - 3, n - 2, n - 1, n].map((seq) => `${topicA}#${seq}`));
    } finally {
      await fresh.close();
    }
  });
});

describe('the stations feed against a gateway that refuses requests beyond one a second', () => {
  const dataDir = tempDir('cgw-feed-limited-');
  let gateway: GatewayProcess;
  let charger: Charger;
  before(async () => {
    gateway = await spawnGateway({ CGW_DATA_DIR: dataDir, CGW_P2P_REQUESTS_PER_SECOND: '1', CGW_P2P_REQUEST_BURST: '1', CGW_OCPP_MAX_MESSAGES_PER_SECOND: '1000' });
    charger = await Charger.connect(gateway.ocppUrl, 'FEED-LIMITED', 'ocpp1.6');
    for (const status of ['Preparing', 'Available', 'Preparing', 'Available', 'Preparing']) await charger.status(1, status);
  });
  after(async () => {
    await charger?.close();
    await gateway?.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('fills a gap the gateway first refused (RateLimited) once it takes requests again', async () => {
    const wallet = await ConsumerClient.connect({ gateway: gateway.p2p[0]!, signer: ed25519Signer() });
    try {
      const topic = stationTopic('FEED-LIMITED');
      const { seen, archive, n, send } = await startedFromArchive(wallet, gateway.peerId, topic);
      await new Promise((r) => setTimeout(r, 1_100));
      await wallet.request({ events: { topic, afterSeq: 0, limit: 1 } });
      // The gateway's one request a second is spent: the fill of this gap is refused at first.
      send([archive[n - 1]!]);
      await assert.rejects(wallet.request({ events: { topic, afterSeq: 0, limit: 1 } }), { code: 'RateLimited' });
      await eventually(() => seen.includes(`${topic}#${n}`), 15_000, 'the gap filled on a later try');
      assert.deepEqual(seen, [n - 3, n - 2, n - 1, n].map((seq) => `${topic}#${seq}`));
    } finally {
      await wallet.close();
    }
  });
});
