import type { FileUrls } from '../src/app/file-transfer.ts';
import { FILES_PREFIX } from './file-routes.ts';

/**
 * Where a station fetches or sends files: the configured public URL, or else the scheme, host
 * and port the station itself dialed for its OCPP connection (it reaches that already).
 */
export function fileUrls(publicUrl: string, originOf: (identity: string) => string | undefined): FileUrls {
  return (identity, path) => {
    const origin = publicUrl || originOf(identity);
    return origin ? `${origin.replace(/\/+$/, '')}${FILES_PREFIX}${path}` : undefined;
  };
}
