import { CodedError } from '../coded-error.ts';

/** The refusals a consumer's request can get (each a registered code, src/domain/refusals.ts). */
export type BridgeErrorCode =
  | 'InvalidRequest' | 'UnknownStation' | 'StationOffline' | 'NotAuthorized' | 'UnknownConnector' | 'ConnectorBusy'
  | 'Refused' | 'Timeout' | 'NotYourSession' | 'NoSession' | 'Conflict' | 'InsufficientDeposit' | 'ChainUnavailable' | 'OutstandingDebt'
  | 'TooManyAuthorizations' | 'ShuttingDown';

/** Why a consumer's request could not be carried out, in words a wallet can show. */
export class BridgeError extends CodedError<BridgeErrorCode> {}
