import { networkInterfaces } from 'node:os';
import { resolve } from 'node:path';
import { multiaddr } from '@multiformats/multiaddr';
import { loadOrCreateGatewayKey, type GatewayKey } from '../src/crypto/gateway-key.ts';
import { formatAmount } from '../src/domain/amounts.ts';
import type { Logger } from '../src/log/logger.ts';
import type { ConsumerApi } from '../src/p2p/consumer-api.ts';
import type { Signer } from '../src/p2p/envelope.ts';
import { EventOutbox } from '../src/p2p/event-outbox.ts';
import { createP2pNode, type P2pNode } from '../src/p2p/node.ts';
import { isStationTopic, REQUEST_PROTOCOL, REQUESTS_PROTOCOL, stationCid, stationsFeedTopic, stationTopic } from '../src/p2p/protocol.ts';
import { PeaqCompat } from '../src/p2p/peaq-compat.ts';
import { EventPublisher } from '../src/p2p/publisher.ts';
import { RateLimiter } from '../src/p2p/rate-limit.ts';
import { RequestServer } from '../src/p2p/request-server.ts';
import { StationAnnouncer } from '../src/p2p/station-announcer.ts';
import type { LevelStore } from '../src/store/level-store.ts';
import { sr25519Checker } from '../src/crypto/sr25519.ts';
import type { Config } from './config/schema.ts';

/** DHT announcements in flight at once; the rest wait in StationAnnouncer. */
const ANNOUNCE_CONCURRENCY = 4;

/**
 * Where wallets can dial this node, before it runs (for `keys`): the announced addresses, or
 * the listen ones with "any address" spelled out as this machine's IPv4 addresses.
 */
export function dialableAddresses(config: Config, peerId: string): string[] {
  const local = Object.values(networkInterfaces()).flat().filter((i) => i && i.family === 'IPv4').map((i) => i!.address);
  const addresses = config.p2p.announce.length ? config.p2p.announce
    : config.p2p.listen.flatMap((a) => (a.startsWith('/ip4/0.0.0.0/') ? local.map((ip) => a.replace('/ip4/0.0.0.0/', `/ip4/${ip}/`)) : [a]));
  return addresses.filter((a) => !/\/tcp\/0(\/|$)/.test(a)).map((a) => `${a}/p2p/${peerId}`);
}

/** The gateway's key file: configured, or <dataDir>/gateway.key. */
export function keyFileOf(config: Config): string {
  return resolve(config.p2p.keyFile || resolve(config.dataDir, 'gateway.key'));
}

export function signerOf(key: GatewayKey): Signer {
  return { publicKey: key.publicKey, scheme: 'ED25519', sign: key.sign };
}

/** The event outbox needs the key and the topic counters before the service exists. */
export async function prepareEvents(config: Config, store: LevelStore, log: Logger): Promise<{ key: GatewayKey; outbox: EventOutbox }> {
  const { key, created } = await loadOrCreateGatewayKey(keyFileOf(config));
  if (created) log.info('created the gateway key', { keyFile: keyFileOf(config), peerId: key.peerId });
  return { key, outbox: new EventOutbox(signerOf(key), await lastTopicSeqs(store)) };
}

/** Where each topic's numbering stands: the topic counters, and each station's own topic from its state. */
export async function lastTopicSeqs(store: LevelStore): Promise<Map<string, number>> {
  const seqs = await store.events.topicSeqs();
  for (const [identity, seq] of await store.stations.eventSeqs()) {
    const topic = stationTopic(identity);
    if (seq > (seqs.get(topic) ?? 0)) seqs.set(topic, seq);
  }
  return seqs;
}

export interface RunningP2p {
  node: P2pNode;
  publisher: EventPublisher;
  /** Present in peaq compatibility mode. */
  compat?: PeaqCompat;
  /** Announces on the DHT that this gateway serves a station (best effort). */
  announce(identity: string): void;
  /** Whether a connected peer follows the topic, or the stations feed that carries it (gossipsub's own view). */
  follows(topic: string): boolean;
  stop(): Promise<void>;
}

/** What peaq compatibility mode needs from the rest of the node. */
export interface CompatDeps {
  connectedStations: () => string[];
  priceOf: (energyWh: number, durationS: number) => string;
}

/** Starts the libp2p peer: the consumer request protocol, event publishing and DHT announcements. */
export async function startP2p(config: Config, key: GatewayKey, store: LevelStore, api: ConsumerApi, compatDeps: CompatDeps, log: Logger): Promise<RunningP2p> {
  const node = await createP2pNode({ privateKey: key.libp2pKey, listen: config.p2p.listen, announce: config.p2p.announce, dhtPrivateAddresses: config.p2p.dht.privateAddresses });
  // Join the gateways' DHT through the configured peers (best effort: they may start later).
  for (const address of config.p2p.bootstrap) {
    node.dial(multiaddr(address), { signal: AbortSignal.timeout(10_000) })
      .catch((err: unknown) => log.warn('could not reach a bootstrap peer', { address, err: (err as Error).message }));
  }
  const server = new RequestServer({
    api,
    nonces: store.nonces,
    archive: store.events,
    signer: signerOf(key),
    maxSkewMs: config.p2p.requestMaxSkewSec * 1000,
    streamIdleMs: config.p2p.requestStreamIdleSec * 1000,
    limiter: new RateLimiter(config.p2p.requestsPerSecond, config.p2p.requestBurst),
    formatAmount: (amount) => formatAmount(amount, config.tariff.decimals, config.tariff.currency),
    log,
  });
  // sr25519 requests are checked in a worker thread; when it fails they are checked on the event
  // loop (about 3 ms each) until a new one starts.
  const stopWatchingSr25519 = sr25519Checker.onFailure((reason) => log.warn('the sr25519 worker failed: checking sr25519 signatures on the event loop until a new one starts', { reason }));
  await node.handle(REQUEST_PROTOCOL, server.handle, { maxInboundStreams: 64 });
  // A wallet needs one such stream per connection; a few spare for a reconnecting app.
  await node.handle(REQUESTS_PROTOCOL, server.handleMany, { maxInboundStreams: 4 });
  const feed = { topic: stationsFeedTopic(key.peerId), carries: isStationTopic };
  const publisher = new EventPublisher({ outbox: store.events, pubsub: node.services.pubsub, maxPerSecond: config.p2p.maxEventsPerSecond, feed, log });
  publisher.nudge();
  // Nonces only matter inside the freshness window; older minutes are dropped whole.
  const windowMinutes = Math.ceil(config.p2p.requestMaxSkewSec / 60) + 1;
  const cleaner = setInterval(() => {
    store.nonces.dropNoncesBefore(Math.floor(Date.now() / 60_000) - windowMinutes).catch((err: unknown) => log.warn('nonce cleanup failed', { err }));
  }, 60_000);
  cleaner.unref();
  const compatConfig = config.p2p.peaqCompat;
  const compat = compatConfig.enabled
    ? new PeaqCompat({
      pubsub: node.services.pubsub,
      api,
      sign: key.sign,
      providerKeyHex: Buffer.from(key.publicKey).toString('hex'),
      station: () => {
        if (compatConfig.station) return compatConfig.station;
        const connected = compatDeps.connectedStations();
        return connected.length === 1 ? connected[0] : undefined;
      },
      priceOf: compatDeps.priceOf,
      log: log.child({ mode: 'peaq-compat' }),
    })
    : undefined;
  const announcer = new StationAnnouncer(
    async (identity, signal) => node.contentRouting.provide(await stationCid(identity), { signal }),
    {
      concurrency: ANNOUNCE_CONCURRENCY,
      timeoutMs: 30_000,
      onError: (identity, err) => log.debug('DHT announcement not stored (no DHT peers yet?)', { station: identity, err }),
    },
  );
  if (compat) log.warn('peaq compatibility mode is on: unsigned requests on topic "charmev" can start and stop sessions');
  return {
    node,
    publisher,
    ...(compat ? { compat } : {}),
    announce: (identity) => announcer.announce(identity),
    follows: (topic) => publisher.follows(topic),
    async stop() {
      clearInterval(cleaner);
      stopWatchingSr25519();
      announcer.stop();
      compat?.stop();
      await publisher.stop();
      await node.stop();
    },
  };
}
