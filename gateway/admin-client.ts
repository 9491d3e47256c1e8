import { adminToken } from './admin-token.ts';
import type { Config } from './config/schema.ts';

/** One call to the running node's admin API (admin.host/port, its token); prints the answer, returns the exit code. A string body is sent as CSV. */
export async function adminCall(config: Config, method: string, path: string, body?: unknown): Promise<number> {
  const host = config.admin.host === '0.0.0.0' ? '127.0.0.1' : config.admin.host;
  let res: Response;
  try {
    res = await fetch(`http://${host}:${config.admin.port}${path}`, {
      method,
      // A string goes as it is (CSV); anything else as JSON.
      headers: { Authorization: `Bearer ${adminToken(config)}`, ...(body ? { 'Content-Type': typeof body === 'string' ? 'text/csv' : 'application/json' } : {}) },
      ...(body ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(60_000),
    });
  } catch (err) {
    console.error(`the node's admin API at http://${host}:${config.admin.port} did not answer (${(err as Error).message}); is the node running?`);
    return 1;
  }
  const text = await res.text();
  (res.ok ? console.log : console.error)(text);
  return res.ok ? 0 : 1;
}
