import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface AdminAnswer {
  status: number;
  /** The answer parsed when it is JSON (undefined otherwise). */
  body: any;
  text: string;
}

/**
 * The node's admin API as a test calls it, with the node's own token (read from its data
 * folder when first needed): an object goes as JSON, bytes as they are, a string as CSV.
 */
export function adminApi(base: () => string, dataDir: () => string): (method: string, path: string, body?: unknown) => Promise<AdminAnswer> {
  let token: string | undefined;
  return async (method, path, body) => {
    token ??= readFileSync(join(dataDir(), 'admin.token'), 'utf8').trim();
    const type = typeof body === 'string' ? 'text/csv' : body instanceof Uint8Array ? 'application/octet-stream' : 'application/json';
    const r = await fetch(`${base()}${path}`, {
      method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': type },
      ...(body === undefined ? {} : { body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body) }),
    });
    const text = await r.text();
    return { status: r.status, text, body: (r.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : undefined };
  };
}
