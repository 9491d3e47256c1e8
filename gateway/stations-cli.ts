import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import { adminCall, adminFetch } from './admin-client.ts';
import { loadConfig } from './config/load.ts';
import { optionTime } from './cli-options.ts';
import type { Config } from './config/schema.ts';

const HELP = `charging-gateway stations (or station): the stations the running node knows, and commands to one

Usage:
  charging-gateway stations list [--sort lastSeen]   every station with its connection and last message
  charging-gateway stations delete IDENTITY          forget a station that is offline and runs nothing
                                                     (its transactions, meter values and reports go;
                                                     consumers' receipts stay)
  charging-gateway station call IDENTITY ACTION [JSON]
                                                     send an OCPP action in the station's version and
                                                     print its answer, e.g. Reset '{"type":"Soft"}';
                                                     the payload is checked against the official schema
                                                     first (JSON defaults to {})
  charging-gateway station actions IDENTITY          the actions the station's version accepts
  charging-gateway station reserve IDENTITY CONNECTOR IDTAG [--minutes N]
                                                     hold a connector for a card (30 minutes)
  charging-gateway station reservations IDENTITY     the reservations still running
  charging-gateway station cancel-reservation IDENTITY ID
  charging-gateway station capture IDENTITY [--minutes N]
                                                     record its OCPP frames for N minutes (10)
  charging-gateway station frames IDENTITY           what was recorded (credentials, idTags masked)
  charging-gateway station capture-stop IDENTITY     stop recording (what was recorded stays readable)
  charging-gateway station config IDENTITY [SEARCH]  its configuration as last read, filtered by SEARCH
  charging-gateway station config-refresh IDENTITY   read it from the station now
  charging-gateway station config-set IDENTITY VARIABLE VALUE [--component NAME] [--evse N]
                                                     change one setting (1.6: VARIABLE is the key;
                                                     2.0.1: name the component); says if it needs a reboot
  charging-gateway station config-diff IDENTITY [FROM] [TO]
                                                     what changed between two snapshots (the newest two)
  charging-gateway station reset IDENTITY [--hard]   soft: once idle (2.0.1 OnIdle); --hard: at once
  charging-gateway station clear-cache IDENTITY
  charging-gateway station data-transfer IDENTITY VENDOR [MESSAGE_ID] [DATA]
  charging-gateway station get-log IDENTITY [--type Diagnostics|DiagnosticsLog|SecurityLog] [--from TIME] [--to TIME]
                                                     ask for a log (1.6: GetDiagnostics, 2.0.1: GetLog
                                                     DiagnosticsLog by default); it uploads to the node
  charging-gateway station logs IDENTITY             the logs asked for, with their status and file
  charging-gateway station log-file IDENTITY REQUEST [--out FILE]
                                                     the uploaded file (to stdout, or FILE)
  charging-gateway station monitor IDENTITY COMPONENT VARIABLE TYPE VALUE [--severity N] [--evse N]
                                                     2.0.1: watch a variable (SetVariableMonitoring;
                                                     TYPE UpperThreshold, LowerThreshold, Delta,
                                                     Periodic or PeriodicClockAligned)
  charging-gateway station events IDENTITY [--component NAME] [--variable NAME] [--limit N]
                                                     2.0.1: its NotifyEvent events, newest first

Talks to the running node's admin API (admin.host/admin.port, token from the configuration).`;

// Each command's arguments (optional ones in brackets) and options, for clear refusals.
const USAGE: Record<string, { arguments: string[]; options: string[] }> = {
  list: { arguments: [], options: ['sort'] },
  delete: { arguments: ['IDENTITY'], options: [] },
  call: { arguments: ['IDENTITY', 'ACTION', '[JSON]'], options: [] },
  actions: { arguments: ['IDENTITY'], options: [] },
  reserve: { arguments: ['IDENTITY', 'CONNECTOR', 'IDTAG'], options: ['minutes'] },
  reservations: { arguments: ['IDENTITY'], options: [] },
  'cancel-reservation': { arguments: ['IDENTITY', 'ID'], options: [] },
  capture: { arguments: ['IDENTITY'], options: ['minutes'] },
  frames: { arguments: ['IDENTITY'], options: [] },
  'capture-stop': { arguments: ['IDENTITY'], options: [] },
  config: { arguments: ['IDENTITY', '[SEARCH]'], options: [] },
  'config-refresh': { arguments: ['IDENTITY'], options: [] },
  'config-set': { arguments: ['IDENTITY', 'VARIABLE', 'VALUE'], options: ['component', 'evse'] },
  'config-diff': { arguments: ['IDENTITY', '[FROM]', '[TO]'], options: [] },
  reset: { arguments: ['IDENTITY'], options: ['hard'] },
  'clear-cache': { arguments: ['IDENTITY'], options: [] },
  'data-transfer': { arguments: ['IDENTITY', 'VENDOR', '[MESSAGE_ID]', '[DATA]'], options: [] },
  'get-log': { arguments: ['IDENTITY'], options: ['type', 'from', 'to'] },
  logs: { arguments: ['IDENTITY'], options: [] },
  'log-file': { arguments: ['IDENTITY', 'REQUEST'], options: ['out'] },
  monitor: { arguments: ['IDENTITY', 'COMPONENT', 'VARIABLE', 'TYPE', 'VALUE'], options: ['severity', 'evse'] },
  events: { arguments: ['IDENTITY'], options: ['component', 'variable', 'limit'] },
};

export async function stationsMain(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { config: { type: 'string', short: 'c' }, sort: { type: 'string' }, hard: { type: 'boolean' }, minutes: { type: 'string' }, type: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' }, severity: { type: 'string' }, variable: { type: 'string' }, limit: { type: 'string' }, component: { type: 'string' }, evse: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  const [command, station, ...rest] = positionals;
  if (values.help || !command) {
    console.log(HELP);
    return values.help ? 0 : 2;
  }
  const usage = USAGE[command];
  if (!usage) {
    console.error(`unknown command: station ${command} (charging-gateway station --help)`);
    return 2;
  }
  // A missing argument is named, and an option is one this command takes (seen: clear-cache --hard accepted and ignored).
  const missing = usage.arguments.slice(positionals.length - 1).filter((a) => !a.startsWith('['));
  if (missing.length) {
    console.error(`station ${command} needs ${missing.join(' ')}: station ${command} ${usage.arguments.join(' ')}`);
    return 2;
  }
  const foreign = Object.keys(values).filter((o) => o !== 'config' && !usage.options.includes(o));
  if (foreign.length) {
    console.error(`station ${command} takes no ${foreign.map((o) => `--${o}`).join(', ')}`);
    return 2;
  }
  const file = values.config ?? process.env.CGW_CONFIG;
  const config = loadConfig({ ...(file ? { file } : {}) });
  if (command === 'list') return adminCall(config, 'GET', `/api/stations${values.sort === 'lastSeen' ? '?sort=lastSeen' : ''}`);
  if (command === 'delete' && station) return adminCall(config, 'DELETE', `/api/stations/${encodeURIComponent(station)}`);
  const at = `/api/stations/${encodeURIComponent(station ?? '')}`;
  if (command === 'call' && station && rest[0]) {
    let payload: unknown;
    try {
      payload = JSON.parse(rest[1] ?? '{}');
    } catch {
      console.error(`the payload is not valid JSON: ${rest[1]}`);
      return 2;
    }
    return adminCall(config, 'POST', `${at}/calls/${encodeURIComponent(rest[0])}`, payload);
  }
  if (command === 'actions' && station) return adminCall(config, 'GET', `${at}/calls`);
  if (command === 'reserve' && station && rest[0] && rest[1]) {
    return adminCall(config, 'POST', `${at}/reservations`, { connectorId: Number(rest[0]), idTag: rest[1], ...(values.minutes ? { minutes: Number(values.minutes) } : {}) });
  }
  if (command === 'reservations' && station) return adminCall(config, 'GET', `${at}/reservations`);
  if (command === 'cancel-reservation' && station && rest[0]) return adminCall(config, 'DELETE', `${at}/reservations/${encodeURIComponent(rest[0])}`);
  if (command === 'capture' && station) return adminCall(config, 'POST', `${at}/frames/capture`, values.minutes ? { minutes: Number(values.minutes) } : {});
  if (command === 'frames' && station) return adminCall(config, 'GET', `${at}/frames`);
  if (command === 'capture-stop' && station) return adminCall(config, 'DELETE', `${at}/frames/capture`);
  if (command === 'config' && station) return adminCall(config, 'GET', `${at}/configuration${rest[0] ? `?search=${encodeURIComponent(rest[0])}` : ''}`);
  if (command === 'config-refresh' && station) return adminCall(config, 'POST', `${at}/configuration/refresh`, {});
  if (command === 'config-set' && station && rest[0] && rest[1] !== undefined) {
    const target = { variable: rest[0], value: rest[1], ...(values.component ? { component: values.component } : {}), ...(values.evse ? { evseId: Number(values.evse) } : {}) };
    return adminCall(config, 'POST', `${at}/configuration`, target);
  }
  if (command === 'config-diff' && station) {
    const query = new URLSearchParams({ ...(rest[0] ? { from: rest[0] } : {}), ...(rest[1] ? { to: rest[1] } : {}) });
    return adminCall(config, 'GET', `${at}/configuration/diff${query.size ? `?${query}` : ''}`);
  }
  if (command === 'reset' && station) return adminCall(config, 'POST', `${at}/commands/reset`, { type: values.hard ? 'Hard' : 'Soft' });
  if (command === 'clear-cache' && station) return adminCall(config, 'POST', `${at}/commands/clear-cache`, {});
  if (command === 'data-transfer' && station && rest[0]) {
    return adminCall(config, 'POST', `${at}/commands/data-transfer`, { vendorId: rest[0], ...(rest[1] ? { messageId: rest[1] } : {}), ...(rest[2] !== undefined ? { data: rest[2] } : {}) });
  }
  if (command === 'get-log' && station) {
    const from = optionTime('--from', values.from);
    const to = optionTime('--to', values.to);
    if (from === null || to === null) return 2;
    return adminCall(config, 'POST', `${at}/logs`, { ...(values.type ? { logType: values.type } : {}), ...(from ? { from } : {}), ...(to ? { to } : {}) });
  }
  if (command === 'logs' && station) return adminCall(config, 'GET', `${at}/logs`);
  if (command === 'monitor' && station && rest[3] !== undefined) {
    return adminCall(config, 'POST', `${at}/monitors`, {
      component: rest[0], variable: rest[1], type: rest[2], value: Number(rest[3]),
      ...(values.severity ? { severity: Number(values.severity) } : {}), ...(values.evse ? { evseId: Number(values.evse) } : {}),
    });
  }
  if (command === 'events' && station) {
    const query = new URLSearchParams({ ...(values.component ? { component: values.component } : {}), ...(values.variable ? { variable: values.variable } : {}), ...(values.limit ? { limit: values.limit } : {}) });
    return adminCall(config, 'GET', `${at}/events${query.size ? `?${query}` : ''}`);
  }
  if (command === 'log-file' && station && rest[0]) return saveFile(config, `${at}/logs/${encodeURIComponent(rest[0])}/file`, values.out);
  console.error(HELP);
  return 2;
}

/** A file from the admin API, to `out` or standard output. */
async function saveFile(config: Config, path: string, out: string | undefined): Promise<number> {
  const res = await adminFetch(config, 'GET', path);
  if (!res) return 1;
  if (!res.ok) {
    console.error(await res.text());
    return 1;
  }
  const bytes = Buffer.from(await res.arrayBuffer());
  if (out) writeFileSync(out, bytes);
  else process.stdout.write(bytes);
  return 0;
}
