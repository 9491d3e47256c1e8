/**
 * Every refusal a consumer or an operator can be given, by code, with its mapping per edge:
 * the code itself is what a wallet reads (cgw.ErrorResponse.code) and acts on; `http` is the
 * admin API's status. An error whose code is not here is not a refusal but a fault: a wallet
 * gets InternalError, the admin API 502, and the node logs it.
 */
export const REFUSALS = {
  // The request itself (the p2p protocol, the admin API, a contract or certificate command).
  InvalidRequest: { http: 400, meaning: 'the request is malformed or names something invalid' },
  BadSignature: { http: 401, meaning: 'the request is not signed by the key it names' },
  Stale: { http: 400, meaning: 'the request is too old or from the future (clock skew)' },
  Replayed: { http: 409, meaning: 'this request was received before' },
  ForeignKey: { http: 403, meaning: 'the request is signed by another key than the consumer it names' },
  TooLarge: { http: 413, meaning: 'the request is larger than the protocol allows' },
  RateLimited: { http: 429, meaning: 'too many requests from this peer' },
  // Stations and connectors.
  UnknownStation: { http: 404, meaning: 'no station of this name is known here' },
  StationOffline: { http: 502, meaning: 'the station is not connected' },
  UnknownConnector: { http: 404, meaning: 'the station has no such connector' },
  ConnectorBusy: { http: 409, meaning: 'the connector is in use or not available' },
  ConnectorReserved: { http: 409, meaning: 'the connector is reserved for another idTag or consumer' },
  Refused: { http: 502, meaning: 'the station refused the command' },
  Timeout: { http: 502, meaning: 'the station did not do it in time' },
  // Consumer sessions.
  NotAuthorized: { http: 403, meaning: 'authorize on the station first' },
  NotYourSession: { http: 403, meaning: 'the session belongs to another consumer' },
  NoSession: { http: 404, meaning: 'there is no session to act on' },
  Conflict: { http: 409, meaning: 'the session or record is in another state' },
  TooManyAuthorizations: { http: 429, meaning: 'the station holds the most pending authorizations it takes' },
  NotOffered: { http: 403, meaning: 'this gateway does not offer it (e.g. reservations without a deposit)' },
  // The deposit (a chain is configured).
  InsufficientDeposit: { http: 402, meaning: 'the deposit does not cover the budget' },
  ChainUnavailable: { http: 503, meaning: 'the chain cannot be reached to check the deposit' },
  OutstandingDebt: { http: 402, meaning: 'an earlier session is unpaid' },
  // Plug & Charge contracts and certificates.
  UnknownContract: { http: 404, meaning: 'no such contract is registered' },
  NotYourContract: { http: 403, meaning: 'the contract is registered to another consumer' },
  SecurityProfile: { http: 409, meaning: 'the station\'s security profile does not allow certificates' },
  NotFound: { http: 404, meaning: 'no such record (a certificate, a configuration snapshot, a transaction)' },
  // Files (firmware images, stations' log uploads).
  LinkExpired: { http: 410, meaning: 'the upload link was used already or has expired' },
  // The node itself.
  StorageUnavailable: { http: 503, meaning: 'the node cannot store anything now; it retries by itself' },
  ShuttingDown: { http: 503, meaning: 'the node is stopping; ask again once it is back' },
} as const satisfies Record<string, { http: number; meaning: string }>;

export type RefusalCode = keyof typeof REFUSALS;

export function isRefusalCode(code: unknown): code is RefusalCode {
  return typeof code === 'string' && Object.hasOwn(REFUSALS, code);
}

/** The refusal an error carries, if its code is a registered one. */
export function refusalOf(err: unknown): { code: RefusalCode; message: string } | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return isRefusalCode(code) ? { code, message: (err as Error).message } : undefined;
}
