import { CodedError } from '../coded-error.ts';

/**
 * What a wallet catches when the gateway refuses a request: `code` says why (see
 * cgw.ErrorResponse in proto/node.proto and the gateway's registry of refusals). A string, not
 * a closed set: a newer gateway may refuse with a code this client does not know yet.
 */
export class ConsumerError extends CodedError {}

/** What the gateway sent does not verify (its signature, domain, freshness or shape): BadResponse. */
export function badResponse(err: unknown): ConsumerError {
  return new ConsumerError('BadResponse', `the gateway's answer does not verify: ${err instanceof Error ? err.message : String(err)}`);
}
