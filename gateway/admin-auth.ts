import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AdminTokenConfig } from './config/schema.ts';

/** Who is asking: the name of the token they hold, and what it may do. */
export interface Principal {
  name: string;
  role: AdminTokenConfig['role'];
}

/** The node's own token (admin.token or the generated file) is the operator "admin". */
export function principals(adminToken: string, tokens: readonly AdminTokenConfig[]): AdminTokenConfig[] {
  return [{ name: 'admin', token: adminToken, role: 'operator' }, ...tokens];
}

/** The holder of the request's Bearer token, if it is one of ours (compared in constant time). */
export function principalOf(req: IncomingMessage, url: URL, known: readonly AdminTokenConfig[]): Principal | undefined {
  // EventSource cannot send headers: the dashboard's stream carries the token in the query.
  const fromQuery = url.pathname === '/api/stream' ? url.searchParams.get('token') : null;
  const candidate = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? fromQuery;
  if (!candidate) return undefined;
  const given = Buffer.from(candidate);
  let found: Principal | undefined;
  // Every token is compared, so the time taken does not tell which one nearly matched.
  for (const t of known) {
    const expected = Buffer.from(t.token);
    if (given.length === expected.length && timingSafeEqual(given, expected)) found ??= { name: t.name, role: t.role };
  }
  return found;
}

/** Reading is everyone's; anything else (commands, changes, deletions) needs the operator role. */
export function mayDo(principal: Principal, method: string | undefined): boolean {
  return principal.role === 'operator' || method === 'GET' || method === 'HEAD';
}
