import type { RequestClaim } from '../domain/change.ts';
import type { Session_ConsumerSession as ConsumerSession, Session_Receipt as Receipt, TransactionInfo } from '../proto/types.ts';

/**
 * A start or a stop names the consumer request it serves (undefined: none, e.g. peaq-compat's
 * own messages): its replay key is written with the first station change the operation makes,
 * before the station is asked (see RequestClaim). Required, so that no wrapper drops it unseen.
 */
export interface CarriedClaim {
  claim: RequestClaim | undefined;
}

/**
 * What the consumer protocol can ask of the gateway (implemented by the charging bridge,
 * wired in gateway/). A refusal throws an error with a string `code` and a clear message.
 */
export interface ConsumerApi {
  /** `budget`: what the session may spend at most (smallest unit); absent: the gateway's minimum. */
  authorize(req: { station: string; consumerKey: string; budget?: bigint }): Promise<ConsumerSession>;
  start(req: { station: string; connectorId: number; consumerKey: string } & CarriedClaim): Promise<{ session: ConsumerSession; transaction: TransactionInfo }>;
  stop(req: { station: string; connectorId: number; consumerKey: string } & CarriedClaim): Promise<Receipt>;
  status(req: { station: string; consumerKey: string }): Promise<{ session: ConsumerSession; transaction?: TransactionInfo } | undefined>;
  /** Gives up an authorization that has not started (undefined: there was none). */
  cancel(req: { station: string; consumerKey: string }): Promise<ConsumerSession | undefined>;
  /** Holds a connector for the consumer for `minutes`: the authorized session it made (or made before for the same connector). */
  reserve(req: { station: string; consumerKey: string; connectorId: number; minutes: number; budget?: bigint }): Promise<ConsumerSession>;
  checkAvailability(req: { station: string; connectorId: number }): Promise<{ available: boolean; reason?: string }>;
  /** Plug & Charge: registers (or removes) the consumer's contract (eMAID). */
  contract(req: { consumerKey: string; emaid: string; remove: boolean }): Promise<{ emaid: string; registeredAt: string; contracts: string[] }>;
}

/** Replay protection: a (signer, nonce) is accepted once (LevelNonceRecords). */
export interface NonceStore {
  /** Undefined when the (signer, nonce) was seen before or is under way. */
  claim(minute: number, signerHex: string, nonceHex: string): Promise<RequestClaim | undefined>;
  /** Durable (written unless a change carried it) and refused from then on; throws when it cannot be written. */
  settle(claim: RequestClaim): Promise<void>;
  dropNoncesBefore(minute: number): Promise<void>;
}

/** Published events, for subscribers that missed some. */
export interface EventArchive {
  eventsAfter(topic: string, afterSeq: number, limit: number): Promise<Uint8Array[]>;
}
