// Names shared by the gateway and its consumers.
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';

/** Consumer requests: one signed cgw.Request per stream, answered by one signed cgw.Response. */
export const REQUEST_PROTOCOL = '/charging-gateway/request/1.0.0';

/**
 * Consumer requests, many on one long-lived stream: the same signed requests and responses,
 * each response naming its request by in_reply_to (the request's nonce). It saves the wallet
 * a stream and its protocol negotiation (a round trip) per request.
 */
export const REQUESTS_PROTOCOL = '/charging-gateway/requests/1.0.0';

/** How many requests of one REQUESTS_PROTOCOL stream the gateway handles at a time (it reads no further meanwhile). */
export const MAX_REQUESTS_UNDER_WAY = 16;

/** A REQUESTS_PROTOCOL stream on which no frame arrives for this long is ended by the gateway. */
export const REQUESTS_IDLE_MS = 5 * 60_000;

/** A request's nonce: 16 bytes at least (the SDK's), 64 at most (each is kept for the freshness window). */
export const MIN_NONCE_BYTES = 16;
export const MAX_NONCE_BYTES = 64;

/** Requests larger than this are refused without being read further. */
export const MAX_REQUEST_BYTES = 64 * 1024;

/** The largest answer a consumer reads; the gateway never sends a larger one. */
export const MAX_RESPONSE_BYTES = 256 * 1024;

/** Events about a station (boot, state changes) for anyone interested. */
export function stationTopic(identity: string): string {
  return `${STATION_TOPIC_PREFIX}${identity}`;
}

const STATION_TOPIC_PREFIX = 'cgw/v1/station/';

/** Whether a topic is a station's (stationTopic). */
export function isStationTopic(topic: string): boolean {
  return topic.startsWith(STATION_TOPIC_PREFIX);
}

/**
 * One gateway's stations feed: the events of all its station topics, several to a gossipsub
 * message (cgw.EventBundle). One subscription instead of one per station, and a gossipsub
 * message (and its signature) per moment instead of per event.
 */
export function stationsFeedTopic(gatewayPeerId: string): string {
  return `cgw/v1/stations/${gatewayPeerId}`;
}

/** Events for one consumer (progress, start/stop responses, receipts), by the hex of its key. */
export function consumerTopic(keyHex: string): string {
  return `cgw/v1/consumer/${keyHex.toLowerCase().replace(/^0x/, '')}`;
}

/** The DHT key under which a gateway announces that it serves a charge point. */
export async function stationCid(identity: string): Promise<CID> {
  return CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode(`charging-gateway/station/${identity}`)));
}
