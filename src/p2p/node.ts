import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { gossipsub, type GossipSub } from '@libp2p/gossipsub';
import { identify } from '@libp2p/identify';
import type { Ed25519PrivateKey, PeerId } from '@libp2p/interface';
import { kadDHT, removePrivateAddressesMapper, type KadDHT } from '@libp2p/kad-dht';
import { ping, type Ping } from '@libp2p/ping';
import { tcp } from '@libp2p/tcp';
import { webSockets } from '@libp2p/websockets';
import { createLibp2p, type Libp2p } from 'libp2p';

export type P2pServices = {
  identify: unknown;
  ping: Ping;
  pubsub: GossipSub;
  dht: KadDHT;
};

export type P2pNode = Libp2p<P2pServices>;

export interface P2pNodeOptions {
  privateKey: Ed25519PrivateKey;
  /** Listen multiaddrs, e.g. /ip4/0.0.0.0/tcp/10333 and /ip4/0.0.0.0/tcp/10334/ws. */
  listen: string[];
  /** Addresses to tell peers instead of the listen ones (a public address behind NAT or in a container). */
  announce?: string[];
  /** A consumer or light peer: dials out, serves no DHT records. */
  clientMode?: boolean;
  /** The DHT protocol: gateways form their own DHT rather than joining the IPFS one. */
  dhtProtocol?: string;
  /** Share private (LAN, loopback) addresses through the DHT: for networks where peers reach them. */
  dhtPrivateAddresses?: boolean;
}

/** The DHT the gateways and their consumers share. */
export const DHT_PROTOCOL = '/charging-gateway/kad/1.0.0';

/**
 * A libp2p node as the gateway and its consumers run it: TCP and WebSocket, Noise, Yamux,
 * identify, ping, gossipsub with strict message signing, and a kad-DHT through which
 * consumers find the gateway that serves a charge point.
 */
export async function createP2pNode(o: P2pNodeOptions): Promise<P2pNode> {
  return createLibp2p({
    privateKey: o.privateKey,
    addresses: { listen: o.listen, ...(o.announce?.length ? { announce: o.announce } : {}) },
    transports: [tcp(), webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: {
      identify: identify(),
      ping: ping(),
      pubsub: gossipsub({ globalSignaturePolicy: 'StrictSign', allowPublishToZeroTopicPeers: true, emitSelf: false }),
      dht: kadDHT({
        clientMode: o.clientMode ?? false,
        protocol: o.dhtProtocol ?? DHT_PROTOCOL,
        peerInfoMapper: o.dhtPrivateAddresses ? (peer) => peer : removePrivateAddressesMapper,
      }),
    },
  });
}

export type { PeerId };
