import { parseArgs } from 'node:util';
import { adminCall } from './admin-client.ts';
import { loadConfig } from './config/load.ts';

const HELP = `charging-gateway transactions: the transactions on every station of the running node

Usage:
  charging-gateway transactions [--station ID] [--from TIME] [--to TIME] [--consumer KEY] [--tag IDTAG]
                                [--state open|finished] [--limit N] [--cursor C] [--csv]
  charging-gateway transactions show STATION ID     one transaction with its meter readings

Newest start first. A page ends with nextCursor when more follow: pass it as --cursor. --csv
prints every match as CSV instead. TIME is ISO 8601 (2026-12-01 or 2026-12-01T08:00:00Z).

Talks to the running node's admin API (admin.host/admin.port, token from the configuration).`;

export async function transactionsMain(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' }, station: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, consumer: { type: 'string' },
      tag: { type: 'string' }, state: { type: 'string' }, limit: { type: 'string' }, cursor: { type: 'string' }, csv: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const file = values.config ?? process.env.CGW_CONFIG;
  const config = loadConfig({ ...(file ? { file } : {}) });
  if (positionals[0] === 'show') {
    const [, station, id] = positionals;
    if (!station || !id) {
      console.error(HELP);
      return 2;
    }
    return adminCall(config, 'GET', `/api/stations/${encodeURIComponent(station)}/transactions/${encodeURIComponent(id)}`);
  }
  if (positionals.length) {
    console.error(HELP);
    return 2;
  }
  const query = new URLSearchParams();
  for (const [name, value] of [['station', values.station], ['from', values.from], ['to', values.to], ['consumer', values.consumer], ['idTag', values.tag], ['state', values.state]] as const) {
    if (value !== undefined) query.set(name, value);
  }
  if (values.csv) return adminCall(config, 'GET', `/api/transactions.csv${query.size ? `?${query}` : ''}`);
  if (values.limit !== undefined) query.set('limit', values.limit);
  if (values.cursor !== undefined) query.set('cursor', values.cursor);
  return adminCall(config, 'GET', `/api/transactions${query.size ? `?${query}` : ''}`);
}
