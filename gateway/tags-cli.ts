import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { adminCall } from './admin-client.ts';
import { loadConfig } from './config/load.ts';

const HELP = `charging-gateway tags: the operator's cards (RFID idTags), good on every station

Usage:
  charging-gateway tags list                       every card
  charging-gateway tags set IDTAG [--status Accepted|Blocked|Expired|Invalid] [--expiry TIME]
                                  [--parent IDTAG] [--note TEXT]
                                                   add a card or change one (unnamed settings stay)
  charging-gateway tags delete IDTAG               remove a card (from every station's list too)
  charging-gateway tags export > cards.csv         every card as CSV
  charging-gateway tags import cards.csv           add or change the cards of a CSV file (a header
                                                   line names the columns, idTag among them);
                                                   prints how many were taken and each bad line

A change goes to every connected station's local list at once; offline ones get it when they
connect. Talks to the running node's admin API (admin.host/admin.port, token from the configuration).`;

export async function tagsMain(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' }, status: { type: 'string' }, expiry: { type: 'string' }, parent: { type: 'string' }, note: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, arg] = positionals;
  if (values.help || !command) {
    console.log(HELP);
    return values.help ? 0 : 2;
  }
  const file = values.config ?? process.env.CGW_CONFIG;
  const config = loadConfig({ ...(file ? { file } : {}) });
  if (command === 'list') return adminCall(config, 'GET', '/api/tags');
  if (command === 'export') return adminCall(config, 'GET', '/api/tags.csv');
  if (command === 'set' && arg) {
    const change = {
      ...(values.status !== undefined ? { status: values.status } : {}), ...(values.expiry !== undefined ? { expiryDate: values.expiry } : {}),
      ...(values.parent !== undefined ? { parentIdTag: values.parent } : {}), ...(values.note !== undefined ? { note: values.note } : {}),
    };
    return adminCall(config, 'PUT', `/api/tags/${encodeURIComponent(arg)}`, change);
  }
  if (command === 'delete' && arg) return adminCall(config, 'DELETE', `/api/tags/${encodeURIComponent(arg)}`);
  if (command === 'import' && arg) {
    let text: string;
    try {
      text = readFileSync(arg, 'utf8');
    } catch (err) {
      console.error(`cannot read ${arg}: ${(err as Error).message}`);
      return 2;
    }
    return adminCall(config, 'POST', '/api/tags.csv', text);
  }
  console.error(HELP);
  return 2;
}
