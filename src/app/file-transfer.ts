import { CodedError } from '../coded-error.ts';

/** Why a file could not be taken or given (each a registered refusal, src/domain/refusals.ts). */
export type FileTransferCode = 'InvalidRequest' | 'NotFound' | 'TooLarge' | 'LinkExpired' | 'Conflict';

export class FileTransferError extends CodedError<FileTransferCode> {}

/**
 * Where a station fetches or sends a file: the path below the node's file routes, on the address
 * the station itself dialed (or the configured public URL). Undefined: no address is known for it.
 */
export type FileUrls = (identity: string, path: string) => string | undefined;
