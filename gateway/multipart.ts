import { CodedError } from '../src/coded-error.ts';

/**
 * The first file part of a multipart/form-data body (RFC 7578): its bytes and the file name
 * it names. A body without one is refused as InvalidRequest.
 */
export function multipartFile(body: Buffer, boundary: string): { fileName?: string; data: Buffer } {
  const delimiter = Buffer.from(`--${boundary}`);
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    const headersStart = at + delimiter.length;
    // "--" after the delimiter closes the body.
    if (body.subarray(headersStart, headersStart + 2).toString() === '--') break;
    const headersEnd = body.indexOf('\r\n\r\n', headersStart);
    if (headersEnd === -1) break;
    const next = body.indexOf(Buffer.from(`\r\n--${boundary}`), headersEnd + 4);
    if (next === -1) break;
    const headers = body.subarray(headersStart, headersEnd).toString('latin1');
    const disposition = /content-disposition:[^\r\n]*/i.exec(headers)?.[0] ?? '';
    const fileName = /filename="([^"]*)"/i.exec(disposition)?.[1] ?? /filename=([^;\s]+)/i.exec(disposition)?.[1];
    if (fileName !== undefined) return { ...(fileName ? { fileName } : {}), data: body.subarray(headersEnd + 4, next) };
    at = next + 2;
  }
  throw new CodedError('InvalidRequest', 'the multipart body has no file part');
}
