import type { ChargePointState, TransactionInfo } from './model.ts';
import type { ConsumerSession } from './sessions.ts';

/** A consumer session changed (a station message, or its settlement); told after the commit. */
export type SessionEvent =
  | { type: 'sessionStarted'; identity: string; session: ConsumerSession; transaction: TransactionInfo }
  | { type: 'progress'; identity: string; session: ConsumerSession; transaction: TransactionInfo }
  | { type: 'sessionEnded'; identity: string; session: ConsumerSession; transaction: TransactionInfo }
  | { type: 'serviceDelivered'; identity: string; session: ConsumerSession };

/**
 * Everything worth telling the outside about a change: what the outbox signs and publishes
 * (the one name for it in every layer; a wallet receives it as a signed peaq events.Event).
 */
export type DomainEvent =
  | SessionEvent
  | { type: 'booted'; identity: string; state: ChargePointState }
  | { type: 'stationChanged'; identity: string; state: ChargePointState };
