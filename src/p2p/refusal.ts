import { CodedError } from '../coded-error.ts';
import type { RefusalCode } from '../domain/refusals.ts';

/**
 * A request refused, with a code a wallet can act on: the protocol's own (InvalidRequest,
 * BadSignature, Stale, Replayed, ForeignKey, TooLarge, RateLimited) or a bridge
 * refusal passed through (StationOffline, ConnectorBusy, ...). Travels as cgw.ErrorResponse.
 */
export class Refusal extends CodedError<RefusalCode> {}
