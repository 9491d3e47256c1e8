import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AdminTokenConfig } from './config/schema.ts';

/** Who is asking: the name of the token they hold, and what it may do. */
export interface Principal {
  name: string;
  role: AdminTokenConfig['role'];
}

/**
 * The node's own token (admin.token or the generated file) is the operator "admin". A name or
 * token given twice (or the name admin) would make the audit log lie about who asked: refused.
 */
export function principals(adminToken: string, tokens: readonly AdminTokenConfig[]): AdminTokenConfig[] {
  const all: AdminTokenConfig[] = [{ name: 'admin', token: adminToken, role: 'operator' }, ...tokens];
  for (const [i, t] of all.entries()) {
    if (all.findIndex((o) => o.name === t.name) !== i) throw new Error(`admin.tokens: the name ${t.name} is given twice (admin is the node's own token)`);
    if (all.findIndex((o) => o.token === t.token) !== i) throw new Error(`admin.tokens: the token of ${t.name} is another one's too`);
  }
  return all;
}

/** The holder of the request's Bearer token, if it is one of ours (compared in constant time). */
export function principalOf(req: IncomingMessage, url: URL, known: readonly AdminTokenConfig[]): Principal | undefined {
  // EventSource cannot send headers: the dashboard's stream carries the token in the query.
  const fromQuery = url.pathname === '/api/stream' ? url.searchParams.get('token') : null;
  const candidate = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? fromQuery;
  if (!candidate) return undefined;
  // Digests of equal length, and every token compared: the time taken tells neither a token's
  // length nor which one nearly matched.
  const given = digest(candidate);
  let found: Principal | undefined;
  for (const t of known) if (timingSafeEqual(given, digest(t.token))) found ??= { name: t.name, role: t.role };
  return found;
}

/** Reading is everyone's; anything else (commands, changes, deletions) needs the operator role. */
export function mayDo(principal: Principal, method: string | undefined): boolean {
  return principal.role === 'operator' || method === 'GET' || method === 'HEAD';
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
