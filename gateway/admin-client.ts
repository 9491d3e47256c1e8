import { adminToken } from './admin-token.ts';
import type { Config } from './config/schema.ts';

/**
 * One call to the running node's admin API (admin.host/port, its token); prints the answer,
 * returns the exit code. A string body is sent as CSV, bytes as they are, anything else as JSON.
 */
export async function adminCall(config: Config, method: string, path: string, body?: unknown): Promise<number> {
  const res = await adminFetch(config, method, path, body);
  if (!res) return 1;
  const text = await res.text();
  (res.ok ? console.log : console.error)(text);
  return res.ok ? 0 : 1;
}

/** The admin API's answer, or undefined (said on stderr) when the node does not answer. */
export async function adminFetch(config: Config, method: string, path: string, body?: unknown): Promise<Response | undefined> {
  const host = config.admin.host === '0.0.0.0' ? '127.0.0.1' : config.admin.host;
  const type = typeof body === 'string' ? 'text/csv' : body instanceof Uint8Array ? 'application/octet-stream' : 'application/json';
  try {
    return await fetch(`http://${host}:${config.admin.port}${path}`, {
      method,
      headers: { Authorization: `Bearer ${adminToken(config)}`, ...(body ? { 'Content-Type': type } : {}) },
      ...(body ? { body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body) } : {}),
      // A file takes longer than a command.
      signal: AbortSignal.timeout(body instanceof Uint8Array || method === 'GET' && path.endsWith('/file') ? 600_000 : 60_000),
    });
  } catch (err) {
    console.error(`the node's admin API at http://${host}:${config.admin.port} did not answer (${(err as Error).message}); is the node running?`);
    return undefined;
  }
}
