export interface JsonEndpointOptions {
  url: string;
  timeoutMs: number;
  /** Sent as a Bearer token when set. */
  token?: string;
}

/** A service that takes and answers JSON at one URL: `post(body)` with its deadline and token. */
export function jsonEndpoint(opts: JsonEndpointOptions, service: string): (body: unknown) => Promise<unknown> {
  const headers: Record<string, string> = opts.token ? { Authorization: `Bearer ${opts.token}` } : {};
  return (body) => postJson(opts.url, body, { timeoutMs: opts.timeoutMs, service, headers });
}

/** A JSON POST to an outside service, with a deadline and errors that name the service. */
export async function postJson(url: string, body: unknown, opts: { timeoutMs: number; service: string; headers?: Record<string, string> }): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...opts.headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
  } catch (err) {
    const reason = (err as Error).name === 'TimeoutError' ? `no answer within ${opts.timeoutMs} ms` : String((err as { cause?: unknown }).cause ?? (err as Error).message);
    throw new Error(`the ${opts.service} at ${url} could not be reached: ${reason}`);
  }
  const text = await res.text();
  if (!res.ok) throw new Error(`the ${opts.service} answered HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`);
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`the ${opts.service} answered with something other than JSON`);
  }
}
