import { CodedError } from '../coded-error.ts';
import { StationCallError } from './station-link.ts';

/** The refusals a consumer's request can get (each a registered code, src/domain/refusals.ts). */
export type BridgeErrorCode =
  | 'InvalidRequest' | 'UnknownStation' | 'StationOffline' | 'NotAuthorized' | 'UnknownConnector' | 'ConnectorBusy' | 'ConnectorReserved'
  | 'Refused' | 'Timeout' | 'NotYourSession' | 'NoSession' | 'Conflict' | 'InsufficientDeposit' | 'ChainUnavailable' | 'OutstandingDebt'
  | 'TooManyAuthorizations' | 'ShuttingDown' | 'NotFound' | 'NotOffered';

/** Why a consumer's request could not be carried out, in words a wallet can show. */
export class BridgeError extends CodedError<BridgeErrorCode> {}

/** A station command that failed, as the refusal a consumer or operator is given; other errors pass unchanged. */
export function stationFailure(err: unknown, what: string): Error {
  if (err instanceof BridgeError) return err;
  if (err instanceof StationCallError) {
    switch (err.code) {
      case 'InvalidRequest': return new BridgeError('InvalidRequest', err.message);
      case 'StationOffline': return new BridgeError('StationOffline', `the station went offline during ${what}`);
      case 'Timeout': return new BridgeError('Timeout', `the station did not answer ${what} in time`);
      case 'Refused': return new BridgeError('Refused', `the station answered ${what} with ${err.message}`);
    }
  }
  return err instanceof Error ? err : new Error(String(err));
}
