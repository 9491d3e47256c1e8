import { readCapped } from './capped-body.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ValidateFunction } from 'ajv';

// What every admin API resource uses: errors with their status, JSON in and out, paging.

/** A request the API refuses, with its HTTP status and the field at fault. */
export class HttpError extends Error {
  readonly status: number;
  readonly field: string | undefined;
  constructor(status: number, message: string, field?: string) {
    super(message);
    this.status = status;
    this.field = field;
  }
}

export function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

/** The JSON body (at most 64 KiB); an empty body is {}. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 64 * 1024) throw new HttpError(413, 'the body is larger than 64 KiB');
    chunks.push(chunk);
  }
  if (!size) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'the body is not valid JSON');
  }
}

/** The body checked against a compiled schema: a 400 naming the first field at fault. */
export function checked(check: ValidateFunction, body: unknown): Record<string, unknown> {
  if (check(body)) return body as Record<string, unknown>;
  const e = check.errors![0]!;
  const field = e.keyword === 'required' ? String(e.params.missingProperty)
    : e.keyword === 'additionalProperties' ? String(e.params.additionalProperty) : e.instancePath.slice(1);
  throw new HttpError(400, `${field || 'body'}: ${e.message ?? 'is invalid'}`, field);
}

export async function readText(req: IncomingMessage, limit: number): Promise<string> {
  return (await readCapped(req, limit, () => new HttpError(413, `the body is larger than ${limit / 1024} KiB`))).toString('utf8');
}

export function page(url: URL): { limit: number; offset: number } {
  const limit = Number(url.searchParams.get('limit') ?? 50);
  const offset = Number(url.searchParams.get('offset') ?? 0);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new HttpError(400, 'limit: must be an integer from 1 to 500', 'limit');
  if (!Number.isInteger(offset) || offset < 0) throw new HttpError(400, 'offset: must be a non-negative integer', 'offset');
  return { limit, offset };
}
