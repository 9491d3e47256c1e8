import { parseArgs } from 'node:util';
import { adminCall } from './admin-client.ts';
import { loadConfig } from './config/load.ts';

const HELP = `charging-gateway stations: the stations the running node knows

Usage:
  charging-gateway stations list [--sort lastSeen]   every station with its connection and last message
  charging-gateway stations delete IDENTITY          forget a station that is offline and runs nothing
                                                     (its transactions, meter values and reports go;
                                                     consumers' receipts stay)

Talks to the running node's admin API (admin.host/admin.port, token from the configuration).`;

export async function stationsMain(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { config: { type: 'string', short: 'c' }, sort: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  const [command, station] = positionals;
  if (values.help || !command) {
    console.log(HELP);
    return values.help ? 0 : 2;
  }
  const file = values.config ?? process.env.CGW_CONFIG;
  const config = loadConfig({ ...(file ? { file } : {}) });
  if (command === 'list') return adminCall(config, 'GET', `/api/stations${values.sort === 'lastSeen' ? '?sort=lastSeen' : ''}`);
  if (command === 'delete' && station) return adminCall(config, 'DELETE', `/api/stations/${encodeURIComponent(station)}`);
  console.error(HELP);
  return 2;
}
