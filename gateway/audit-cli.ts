import { parseArgs } from 'node:util';
import { adminCall } from './admin-client.ts';
import { loadConfig } from './config/load.ts';

const HELP = `charging-gateway audit: who asked the running node for which change, newest first

Usage:
  charging-gateway audit [--limit N] [--cursor C]   a page; pass its nextCursor as --cursor for more

Each entry: when, the token's name and role, the method and path, the HTTP status it got.
Talks to the running node's admin API (admin.host/admin.port, token from the configuration).`;

export async function auditMain(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: { config: { type: 'string', short: 'c' }, limit: { type: 'string' }, cursor: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help || positionals.length) {
    console.log(HELP);
    return values.help ? 0 : 2;
  }
  const file = values.config ?? process.env.CGW_CONFIG;
  const config = loadConfig({ ...(file ? { file } : {}) });
  const query = new URLSearchParams({ ...(values.limit ? { limit: values.limit } : {}), ...(values.cursor ? { cursor: values.cursor } : {}) });
  return adminCall(config, 'GET', `/api/audit${query.size ? `?${query}` : ''}`);
}
