import type { IncomingMessage, ServerResponse } from 'node:http';
import { Ajv, type ValidateFunction } from 'ajv';
import { parseConsumerKey } from '../src/crypto/consumer-key.ts';
import { REFUSALS, refusalOf } from '../src/domain/refusals.ts';
import type { TransactionInfo } from '../src/domain/model.ts';
import type { ChargePointService } from '../src/domain/charge-point-service.ts';
import type { OperatorCommands } from '../src/app/operator-commands.ts';
import type { StationConfiguration } from '../src/app/station-configuration.ts';
import type { TransactionHistory } from '../src/app/transaction-history.ts';
import type { HistoryCursor, HistoryEntry, HistoryFilter } from '../src/domain/history.ts';
import { parseCsv, toCsv } from './csv.ts';
import type { ImportProblem, OperatorTags } from '../src/app/operator-tags.ts';
import { InvalidTagError, TAG_STATUSES, type OperatorTag, type TagChange } from '../src/domain/tags.ts';
import { actualValue, variableName, type ConfigurationSnapshot } from '../src/domain/configuration.ts';
import type { LocalListSync } from '../src/app/local-list-sync.ts';
import type { OcppServer } from '../src/ocpp/core/server.ts';
import type { StationLinks } from '../src/app/station-link.ts';
import { CertificateError, type StationCertificates } from '../src/app/station-certificates.ts';
import { INSTALL_CERTIFICATE_USES, type CertificateIdUse, type InstallCertificateUse } from '../src/domain/certificates.ts';
import { hashDataId } from '../src/domain/certificates.ts';
import type { LevelStore } from '../src/store/level-store.ts';
import type { AuditRecords } from '../src/domain/ports.ts';
import type { FrameCapture } from '../src/ocpp/core/frame-capture.ts';
import type { Reservations } from '../src/app/reservations.ts';
import { mayDo, principalOf, type Principal } from './admin-auth.ts';
import type { AdminTokenConfig } from './config/schema.ts';
import { CSMS_ACTIONS_16 } from '../src/ocpp/v16/calls.ts';
import { CSMS_ACTIONS_201 } from '../src/ocpp/v201/calls.ts';
import { filesApi } from './admin-files-api.ts';
import { monitoringApi } from './admin-monitoring-api.ts';
import type { FirmwareUpdates } from '../src/app/firmware-updates.ts';
import type { LogUploads } from '../src/app/log-uploads.ts';
import { HttpError, checked, page, readJson, readText, send } from './admin-kit.ts';

export interface AdminApiDeps {
  /** The tokens that open the API, each with its name and role (admin-auth.ts). */
  tokens: readonly AdminTokenConfig[];
  /** Where every request that may change something is recorded, with who asked. */
  audit: AuditRecords;
  /** The dashboard's data: a snapshot of stations and sessions. */
  snapshot: () => Promise<unknown>;
  service: ChargePointService;
  store: LevelStore;
  /** The node's clock (the audit log's times, the refusal counts per minute). */
  now: () => Date;
  ocpp: OcppServer;
  commands: StationLinks;
  operator: OperatorCommands;
  configuration: StationConfiguration;
  history: TransactionHistory;
  tags: OperatorTags;
  frames: FrameCapture;
  reservations: Reservations;
  firmware: FirmwareUpdates;
  logs: LogUploads;
  localList: LocalListSync;
  certificates: StationCertificates;
  /** Bytes of reports kept per station (storage.reportBytesPerStation). */
  reportBudget: number;
}

/** A consumer named in a query: SS58 address (as the dashboard shows it) or 32 bytes of hex. */
function consumerKeyHex(text: string | null): string {
  try {
    return parseConsumerKey(text ?? '').hex;
  } catch {
    throw new HttpError(400, 'consumer: the consumer\'s SS58 address or public key (32 bytes of hex) is required', 'consumer');
  }
}

/** The actions an operator may send to a station of this version (empty before it booted). */
export function csmsActions(ocppVersion: string): readonly string[] {
  return ocppVersion === 'ocpp1.6' ? CSMS_ACTIONS_16 : ocppVersion === 'ocpp2.0.1' ? CSMS_ACTIONS_201 : [];
}

// How long an operator's remote start tag is good for the station's own start.


// Command bodies: one JSON schema each, used to validate requests AND in /openapi.json.
const connector = { type: 'integer', minimum: 0, maximum: 1000 } as const;
export const COMMANDS = {
  'remote-start': { type: 'object', additionalProperties: false, required: ['connectorId', 'idTag'], properties: { connectorId: { ...connector, minimum: 1 }, idTag: { type: 'string', minLength: 1, maxLength: 20 } } },
  'remote-stop': { type: 'object', additionalProperties: false, required: ['transactionId'], properties: { transactionId: { type: 'integer', minimum: 1 } } },
  unlock: { type: 'object', additionalProperties: false, required: ['connectorId'], properties: { connectorId: { ...connector, minimum: 1 } } },
  trigger: { type: 'object', additionalProperties: false, required: ['message'], properties: { message: { type: 'string', minLength: 1, maxLength: 50 }, connectorId: connector } },
  'change-availability': { type: 'object', additionalProperties: false, required: ['connectorId', 'operative'], properties: { connectorId: connector, operative: { type: 'boolean' } } },
  reset: { type: 'object', additionalProperties: false, required: ['type'], properties: { type: { enum: ['Soft', 'Hard'], description: 'Soft: once idle (2.0.1 OnIdle); Hard: at once (2.0.1 Immediate)' } } },
  'clear-cache': { type: 'object', additionalProperties: false, properties: {} },
  'data-transfer': {
    type: 'object', additionalProperties: false, required: ['vendorId'],
    properties: { vendorId: { type: 'string', minLength: 1, maxLength: 255 }, messageId: { type: 'string', maxLength: 50 }, data: { type: 'string' } },
  },
  'resync-local-list': { type: 'object', additionalProperties: false, properties: {} },
  'install-certificate': {
    type: 'object', additionalProperties: false, required: ['certificateType', 'certificate'],
    properties: { certificateType: { type: 'string', enum: INSTALL_CERTIFICATE_USES }, certificate: { type: 'string', minLength: 1, maxLength: 5500, description: 'PEM of a root certificate' } },
  },
  'delete-certificate': { type: 'object', additionalProperties: false, required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 80, description: 'The id from GET .../certificates' } } },
  'refresh-certificates': {
    type: 'object', additionalProperties: false,
    properties: { certificateTypes: { type: 'array', items: { type: 'string', enum: [...INSTALL_CERTIFICATE_USES, 'V2GCertificateChain'] }, minItems: 1, uniqueItems: true } },
  },
} as const;
type CommandName = keyof typeof COMMANDS;

/** A configuration change: a 1.6 key (`variable` alone) or a 2.0.1 component's variable. */
export const CONFIGURATION_CHANGE = {
  type: 'object', additionalProperties: false, required: ['variable', 'value'],
  properties: {
    variable: { type: 'string', minLength: 1, maxLength: 50, description: '1.6: the configuration key; 2.0.1: the variable name' },
    value: { type: 'string', maxLength: 1000 },
    component: { type: 'string', minLength: 1, maxLength: 50, description: '2.0.1 only: the component name' },
    componentInstance: { type: 'string', maxLength: 50 },
    evseId: { type: 'integer', minimum: 1 },
    connectorId: { type: 'integer', minimum: 1 },
    variableInstance: { type: 'string', maxLength: 50 },
  },
} as const;
const checkConfigurationChange = new Ajv({ allErrors: false }).compile(CONFIGURATION_CHANGE);

/** A snapshot as the API shows it: each variable with its readable name and current value first. */
function configurationView(s: ConfigurationSnapshot): object {
  return {
    takenAt: s.takenAt, source: s.source, unknownKeys: s.unknownKeys,
    variables: s.variables.map((v) => ({
      name: variableName(v), value: actualValue(v), ...v,
      characteristics: v.characteristicsJson ? JSON.parse(v.characteristicsJson) as unknown : undefined, characteristicsJson: undefined,
    })),
  };
}

const ajv = new Ajv({ allErrors: false });
const validators = Object.fromEntries(Object.entries(COMMANDS).map(([name, schema]) => [name, ajv.compile(schema)])) as Record<CommandName, ValidateFunction>;


function validate(name: CommandName, body: unknown): Record<string, unknown> {
  return checked(validators[name], body);
}


/** A card's settings as the API takes them (PUT /api/tags/{idTag}); absent fields keep their value. */
export const TAG_CHANGE = {
  type: 'object', additionalProperties: false,
  properties: {
    status: { enum: TAG_STATUSES },
    expiryDate: { type: 'string', maxLength: 40, description: 'ISO 8601; empty: it does not expire' },
    parentIdTag: { type: 'string', maxLength: 20 },
    note: { type: 'string', maxLength: 200 },
  },
} as const;
const checkTagChange = new Ajv({ allErrors: false }).compile(TAG_CHANGE);
export const RESERVATION = {
  type: 'object', additionalProperties: false, required: ['connectorId', 'idTag'],
  properties: {
    connectorId: { type: 'integer', minimum: 0, maximum: 1000, description: '1.6 connectorId, 2.0.1 evseId; 0: any (the station picks)' },
    idTag: { type: 'string', minLength: 1, maxLength: 20 },
    minutes: { type: 'integer', minimum: 1, maximum: 1440, default: 30 },
  },
} as const;
const checkReservation = new Ajv({ allErrors: false }).compile(RESERVATION);
export const FRAME_CAPTURE = { type: 'object', additionalProperties: false, properties: { minutes: { type: 'integer', minimum: 1, maximum: 60, default: 10 } } } as const;
const checkCapture = new Ajv({ allErrors: false }).compile(FRAME_CAPTURE);
const TAG_COLUMNS = ['idTag', 'status', 'expiryDate', 'parentIdTag', 'note', 'updatedAt'] as const satisfies readonly (keyof OperatorTag)[];

/**
 * Cards from CSV whose first line names the columns (idTag among them), each with the file line
 * it came from; a line with another number of fields than the header is a problem of its own.
 */
function tagsFromCsv(text: string): { rows: ({ line: number; idTag: string } & TagChange)[]; problems: ImportProblem[] } {
  let records;
  try {
    records = parseCsv(text);
  } catch (err) {
    throw new HttpError(400, `the CSV cannot be read: ${(err as Error).message}`);
  }
  const [head, ...lines] = records;
  const header = head?.fields ?? [];
  if (!header.includes('idTag')) throw new HttpError(400, 'the first line names the columns, idTag among them (as GET /api/tags.csv writes them)');
  const unknown = header.filter((h) => !(TAG_COLUMNS as readonly string[]).includes(h));
  if (unknown.length) throw new HttpError(400, `unknown columns: ${unknown.join(', ')} (known: ${TAG_COLUMNS.join(', ')})`);
  const rows: ({ line: number; idTag: string } & TagChange)[] = [];
  const problems: ImportProblem[] = [];
  for (const { line, fields } of lines) {
    if (fields.length !== header.length) {
      problems.push({ line, field: '', error: `${fields.length} fields where the header names ${header.length}` });
      continue;
    }
    const value = (name: string): string | undefined => {
      const i = header.indexOf(name);
      return i < 0 || (fields[i] === '' && name !== 'expiryDate') ? undefined : fields[i];
    };
    rows.push({
      line,
      idTag: value('idTag') ?? '',
      ...(value('status') !== undefined ? { status: value('status') as TagChange['status'] } : {}),
      ...(value('expiryDate') !== undefined ? { expiryDate: value('expiryDate') } : {}),
      ...(value('parentIdTag') !== undefined ? { parentIdTag: value('parentIdTag') } : {}),
      ...(value('note') !== undefined ? { note: value('note') } : {}),
    });
  }
  return { rows, problems };
}


const HISTORY_COLUMNS = ['station', 'id', 'ocppTransactionId', 'connectorId', 'idTag', 'consumer', 'state', 'startTime', 'endTime', 'receivedAt', 'energyWh', 'stopReason'] as const satisfies readonly (keyof HistoryEntry)[];

/** The history's filters from the query; a malformed one is a 400 naming it. */
function historyFilter(url: URL): HistoryFilter {
  const q = url.searchParams;
  const time = (name: 'from' | 'to'): string | undefined => {
    const value = q.get(name);
    if (value === null) return undefined;
    if (Number.isNaN(Date.parse(value))) throw new HttpError(400, `${name}: an ISO 8601 time is expected`, name);
    return value;
  };
  const state = q.get('state');
  if (state !== null && state !== 'open' && state !== 'finished') throw new HttpError(400, 'state: open or finished', 'state');
  const from = time('from');
  const to = time('to');
  return {
    ...(q.get('station') ? { station: q.get('station')! } : {}), ...(from ? { from } : {}), ...(to ? { to } : {}),
    ...(q.has('consumer') ? { consumer: consumerKeyHex(q.get('consumer')) } : {}), ...(q.get('idTag') ? { idTag: q.get('idTag')! } : {}),
    ...(state ? { state } : {}),
  };
}

// A page cursor is the last entry's sort key, opaque to the client.
const encodeCursor = (c: HistoryCursor): string => Buffer.from(JSON.stringify([c.receivedAt, c.station, c.id])).toString('base64url');
function decodeCursor(text: string | null): HistoryCursor | undefined {
  if (text === null) return undefined;
  try {
    const [receivedAt, station, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown[];
    if (typeof receivedAt === 'string' && typeof station === 'string' && typeof id === 'number') return { receivedAt, station, id };
  } catch {
    // Reported below.
  }
  throw new HttpError(400, 'cursor: not one this API gave out (use nextCursor of the previous page)', 'cursor');
}


// Refused requests of one token recorded per minute: a read-only token cannot push the
// operators' entries out of the log by asking again and again.
const REFUSALS_RECORDED_PER_MINUTE = 30;
// A card's idTag in a path is shown by its end only, as in captured frames.
const maskPath = (path: string): string => path.slice(0, 256).replace(/^(\/api\/tags\/)([^/]*)/, (_, head: string, tag: string) => `${head}***${tag.length >= 8 ? tag.slice(-4) : ''}`);

/**
 * Records a request that may change something once it is answered, or once the client is gone
 * before the answer (status 499): who asked, what, and how it went.
 */
function audited(req: IncomingMessage, res: ServerResponse, url: URL, principal: Principal, deps: AdminApiDeps, refusalsRecorded: Map<string, { minute: number; count: number }>): void {
  let done = false;
  const record = (): void => {
    if (done) return;
    done = true;
    const status = res.writableFinished ? res.statusCode : 499;
    if (status === 403) {
      const minute = Math.floor(deps.now().getTime() / 60_000);
      const seen = refusalsRecorded.get(principal.name);
      const count = seen?.minute === minute ? seen.count + 1 : 1;
      refusalsRecorded.set(principal.name, { minute, count });
      if (count > REFUSALS_RECORDED_PER_MINUTE) return;
    }
    deps.audit.append({ at: deps.now().toISOString(), who: principal.name, role: principal.role, method: req.method ?? '', path: maskPath(url.pathname), status })
      .catch(() => { /* storage trouble is reported by the store itself */ });
  };
  res.once('finish', record);
  res.once('close', record);
}

/** The operator's JSON API under /api (Bearer token). Returns false when the path is not its own. */
export function adminApi(deps: AdminApiDeps): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> {
  // Per token: refusals recorded in the current minute (this node's API only).
  const refusalsRecorded = new Map<string, { minute: number; count: number }>();
  const station = async (id: string) => {
    const state = await deps.service.state(id);
    if (!state) throw new HttpError(404, `unknown station ${id}`);
    return state;
  };
  return async (req, res, url) => {
    if (!url.pathname.startsWith('/api/')) return false;
    const principal = principalOf(req, url, deps.tokens);
    if (!principal) {
      res.writeHead(401, { 'Content-Type': 'application/json', 'WWW-Authenticate': 'Bearer' }).end(JSON.stringify({ error: 'a valid Bearer token is required' }));
      return true;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') audited(req, res, url, principal, deps, refusalsRecorded);
    try {
      if (!mayDo(principal, req.method)) throw new HttpError(403, `the token ${principal.name} is read-only: it may only read (GET)`);
      if (req.method === 'GET' && url.pathname === '/api/audit') {
        const { limit } = page(url);
        const cursor = url.searchParams.get('cursor');
        const before = cursor === null ? undefined : Buffer.from(cursor, 'base64url').toString('utf8');
        if (before !== undefined && !before.startsWith('au:')) throw new HttpError(400, 'cursor: not one this API gave out (use nextCursor of the previous page)', 'cursor');
        const result = await deps.audit.page(limit, before);
        send(res, 200, result.next ? { items: result.items, nextCursor: Buffer.from(result.next).toString('base64url') } : { items: result.items });
        return true;
      }
      if (req.method === 'GET' && url.pathname === '/api/stream') {
        stream(req, res, deps.snapshot);
        return true;
      }
      if (req.method === 'GET' && url.pathname === '/api/dashboard') {
        send(res, 200, await deps.snapshot());
        return true;
      }
      if (req.method === 'GET' && url.pathname === '/api/recent') {
        send(res, 200, await recentActivity(deps, page(url).limit));
        return true;
      }
      const parts = url.pathname.split('/').slice(2).map(decodeURIComponent);
      const [resource, id, sub, command] = parts;
      if (req.method === 'GET' && resource === 'stations' && !id) {
        const states = (await Promise.all(deps.service.identities().sort().map((i) => deps.service.state(i)))).filter((s) => s !== undefined);
        // ?sort=lastSeen: the longest silent first (candidates for deletion).
        if (url.searchParams.get('sort') === 'lastSeen') states.sort((a, b) => (a.lastSeenAt || '').localeCompare(b.lastSeenAt || ''));
        send(res, 200, states.map((s) => ({
          identity: s.id, connected: deps.commands.isConnected(s.id), ocppVersion: s.ocppVersion, registration: s.status, lastSeenAt: s.lastSeenAt,
          connectors: Object.values(s.connectors).map((c) => ({ id: c.id, status: c.status, transaction: c.currentTransaction || undefined })),
          activeSessions: Object.keys(s.sessions).length,
        })));
        return true;
      }
      if (req.method === 'DELETE' && resource === 'stations' && id && !sub) {
        if (deps.commands.isConnected(id)) throw new HttpError(409, `${id} is connected; it can be deleted once it is not`);
        // Unknown (404) or in use (409): registered refusals, answered like any other.
        await deps.service.forget(id, async () => {
          await deps.store.deleteStation(id);
          await deps.logs.forget(id);
        });
        send(res, 200, { deleted: id });
        return true;
      }
      if (req.method === 'GET' && resource === 'stations' && id && !sub) {
        const s = await station(id);
        send(res, 200, { ...s, connected: deps.commands.isConnected(id), deviations: deps.ocpp.deviations(id) });
        return true;
      }
      if (req.method === 'GET' && resource === 'stations' && id && sub === 'transactions' && !command) {
        await station(id);
        const { limit, offset } = page(url);
        const all = (await deps.store.stations.finishedTransactions(id)).reverse();
        send(res, 200, { total: all.length, items: all.slice(offset, offset + limit) });
        return true;
      }
      if (req.method === 'GET' && resource === 'stations' && id && sub === 'transactions' && command) {
        const txId = Number(command);
        if (!Number.isInteger(txId) || txId < 1) throw new HttpError(400, 'the transaction id is a positive integer');
        send(res, 200, await deps.history.detail(id, txId));
        return true;
      }
      if (req.method === 'GET' && resource === 'transactions' && !id) {
        if (url.searchParams.has('offset')) throw new HttpError(400, 'offset: this list pages by cursor (the nextCursor of the previous page), which stays right while transactions start', 'offset');
        const { limit } = page(url);
        const result = await deps.history.page(historyFilter(url), limit, decodeCursor(url.searchParams.get('cursor')));
        send(res, 200, { items: result.items, ...(result.next ? { nextCursor: encodeCursor(result.next) } : {}) });
        return true;
      }
      if (req.method === 'GET' && resource === 'transactions.csv' && !id) {
        const csv = toCsv(HISTORY_COLUMNS, await deps.history.entries(historyFilter(url)));
        res.writeHead(200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': 'attachment; filename="transactions.csv"' }).end(csv);
        return true;
      }
      if (req.method === 'GET' && resource === 'stations' && id && sub === 'local-list') {
        const s = await station(id);
        send(res, 200, { version: s.currentAuthListVersion, dirty: s.localListDirty, entries: Object.values(s.authList) });
        return true;
      }
      if (req.method === 'GET' && resource === 'stations' && id && sub === 'reports') {
        const s = await station(id);
        const { limit, offset } = page(url);
        const all = (await deps.store.stations.reports(id)).reverse();
        send(res, 200, {
          bytes: s.reportsBytes, budget: deps.reportBudget, total: all.length,
          items: all.slice(offset, offset + limit).map((r) => ({ action: r.action, receivedAt: r.receivedAt, bytes: Buffer.byteLength(r.payloadJson), payload: JSON.parse(r.payloadJson) as unknown })),
        });
        return true;
      }
      if (req.method === 'GET' && resource === 'stations' && id && sub === 'certificates') {
        await station(id);
        send(res, 200, (await deps.certificates.list(id)).map((c) => ({ id: hashDataId(c), ...c })));
        return true;
      }
      if (req.method === 'POST' && resource === 'stations' && id && sub === 'commands' && command) {
        if (!(command in COMMANDS)) throw new HttpError(404, `unknown command ${command}`);
        await station(id);
        const body = validate(command as CommandName, await readJson(req));
        send(res, 200, { result: await runCommand(deps, id, command as CommandName, body) });
        return true;
      }
      if (req.method === 'GET' && resource === 'stations' && id && sub === 'calls' && !command) {
        const s = await station(id);
        send(res, 200, { ocppVersion: s.ocppVersion, actions: csmsActions(s.ocppVersion) });
        return true;
      }
      if (req.method === 'POST' && resource === 'stations' && id && sub === 'calls' && command) {
        await station(id);
        const body = await readJson(req);
        if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'the body must be the action\'s payload, a JSON object');
        // The station's version decides the action's schema: checked before anything is sent.
        send(res, 200, { action: command, response: await deps.operator.call(id, command, body as Record<string, unknown>) });
        return true;
      }
      if (resource === 'stations' && id && sub === 'reservations') {
        if (req.method === 'GET' && !command) {
          send(res, 200, await deps.reservations.list(id));
          return true;
        }
        if (req.method === 'POST' && !command) {
          await station(id);
          const { connectorId, idTag, minutes = 30 } = checked(checkReservation, await readJson(req)) as { connectorId: number; idTag: string; minutes?: number };
          const result = await deps.reservations.reserve(id, { connectorId, idTag, minutes });
          send(res, result.reservation ? 201 : 409, result.reservation ? result : { ...result, error: `the station answered ReserveNow with ${result.status}` });
          return true;
        }
        if (req.method === 'DELETE' && command) {
          const reservationId = Number(command);
          if (!Number.isInteger(reservationId)) throw new HttpError(400, 'the reservation id is an integer');
          send(res, 200, { status: await deps.reservations.cancel(id, reservationId) });
          return true;
        }
      }
      if (resource === 'stations' && id && sub === 'frames') {
        await station(id);
        if (req.method === 'GET' && !command) {
          send(res, 200, deps.frames.frames(id));
          return true;
        }
        if (req.method === 'POST' && command === 'capture') {
          const { minutes = 10 } = checked(checkCapture, await readJson(req)) as { minutes?: number };
          send(res, 200, deps.frames.start(id, minutes * 60_000));
          return true;
        }
        if (req.method === 'DELETE' && command === 'capture') {
          deps.frames.stop(id);
          send(res, 200, { capturing: false });
          return true;
        }
      }
      if (resource === 'stations' && id && sub === 'configuration') {
        if (req.method === 'GET' && !command) {
          const at = url.searchParams.get('at');
          const search = url.searchParams.get('search');
          send(res, 200, configurationView(await deps.configuration.snapshot(id, { ...(at ? { takenAt: at } : {}), ...(search ? { search } : {}) })));
          return true;
        }
        if (req.method === 'POST' && command === 'refresh') {
          const s = await deps.configuration.refresh(id);
          send(res, 200, { takenAt: s.takenAt, source: s.source, variables: s.variables.length, unknownKeys: s.unknownKeys });
          return true;
        }
        if (req.method === 'POST' && !command) {
          const { value, ...ref } = checked(checkConfigurationChange, await readJson(req)) as { value: string; variable: string };
          send(res, 200, await deps.configuration.change(id, ref, value));
          return true;
        }
        if (req.method === 'GET' && command === 'snapshots') {
          send(res, 200, { takenAt: await deps.configuration.history(id) });
          return true;
        }
        if (req.method === 'GET' && command === 'diff') {
          send(res, 200, await deps.configuration.diff(id, url.searchParams.get('from') ?? undefined, url.searchParams.get('to') ?? undefined));
          return true;
        }
      }
      if (resource === 'tags' && !id) {
        if (req.method !== 'GET') throw new HttpError(405, 'GET lists the cards; PUT /api/tags/{idTag} adds or changes one');
        send(res, 200, deps.tags.list());
        return true;
      }
      if (resource === 'tags.csv' && !id) {
        if (req.method === 'GET') {
          res.writeHead(200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': 'attachment; filename="tags.csv"' }).end(toCsv(TAG_COLUMNS, deps.tags.list()));
          return true;
        }
        if (req.method === 'POST') {
          const { rows, problems } = tagsFromCsv(await readText(req, 1024 * 1024));
          const result = await deps.tags.import(rows);
          const all = { imported: result.imported, problems: [...problems, ...result.problems].sort((a, b) => a.line - b.line) };
          // Nothing taken: a script sees it in the status (and the CLI in its exit code).
          send(res, all.imported === 0 && all.problems.length ? 422 : 200, all);
          return true;
        }
        throw new HttpError(405, 'GET exports the cards as CSV; POST imports a CSV');
      }
      if (resource === 'tags' && id && !sub) {
        if (req.method === 'GET') {
          send(res, 200, deps.tags.get(id));
          return true;
        }
        if (req.method === 'PUT') {
          try {
            const { tag, created } = await deps.tags.set(id, checked(checkTagChange, await readJson(req)) as TagChange);
            send(res, created ? 201 : 200, tag);
          } catch (err) {
            if (err instanceof InvalidTagError) throw new HttpError(400, err.message, err.field);
            throw err;
          }
          return true;
        }
        if (req.method === 'DELETE') {
          await deps.tags.remove(id);
          send(res, 200, { deleted: id });
          return true;
        }
      }
      if (req.method === 'GET' && resource === 'debts') {
        // What settled sessions left unpaid, per consumer: each is refused new sessions until it is paid.
        const debts = await deps.store.settlements.debts();
        send(res, 200, { total: debts.length, items: debts });
        return true;
      }
      if (req.method === 'GET' && resource === 'payouts') {
        const consumer = url.searchParams.has('consumer') ? consumerKeyHex(url.searchParams.get('consumer')) : undefined;
        const state = url.searchParams.get('state');
        const all = consumer ? await deps.store.settlements.payouts(consumer) : state === 'open' ? await deps.store.settlements.openPayouts() : await deps.store.settlements.payouts();
        const items = all.filter((p) => !state || p.state === state).map(({ call: _call, ...rest }) => rest);
        const { limit, offset } = page(url);
        send(res, 200, { total: items.length, items: items.slice(offset, offset + limit) });
        return true;
      }
      if (req.method === 'GET' && resource === 'sessions') {
        const consumer = consumerKeyHex(url.searchParams.get('consumer'));
        const { limit, offset } = page(url);
        const all = (await deps.service.finishedSessions(consumer)).reverse();
        send(res, 200, { total: all.length, items: all.slice(offset, offset + limit) });
        return true;
      }
      if (await filesApi(deps, req, res, url, parts)) return true;
      if (await monitoringApi({ service: deps.service, stations: deps.store.stations, operator: deps.operator }, req, res, url, parts)) return true;
      throw new HttpError(404, `no such resource ${req.method} ${url.pathname}`);
    } catch (err) {
      if (err instanceof HttpError) send(res, err.status, { error: err.message, ...(err.field ? { field: err.field } : {}) });
      // Our own check of what we were about to send refused it: the request was wrong, not the station.
      else {
        // A registered refusal has its own status; anything else went wrong between the node and the station.
        const refusal = refusalOf(err);
        if (refusal) send(res, REFUSALS[refusal.code].http, { error: refusal.message, code: refusal.code, ...(err instanceof CertificateError && refusal.code === 'InvalidRequest' ? { field: 'certificate' } : {}) });
        else send(res, 502, { error: (err as Error).message });
      }
      return true;
    }
  };
}

/**
 * What happened lately, from the store (so a dashboard opened now shows it): the starts and
 * ends of every station's transactions, running ones included, newest first.
 */
async function recentActivity(deps: AdminApiDeps, limit: number): Promise<{ at: string; station: string; text: string }[]> {
  const out: { at: string; station: string; text: string }[] = [];
  for (const identity of deps.service.identities()) {
    const started = (tx: TransactionInfo): void => {
      out.push({ at: tx.startReceivedAt || tx.startTime, station: identity, text: `connector ${tx.connectorId}: transaction ${tx.id} started` });
    };
    for (const tx of (await deps.store.stations.finishedTransactions(identity)).slice(-limit)) {
      const kwh = (Math.max(0, tx.endMeter - tx.startMeter) / 1000).toFixed(3);
      out.push({ at: tx.endReceivedAt || tx.endTime, station: identity, text: `connector ${tx.connectorId}: transaction ${tx.id} ended, ${kwh} kWh${tx.stopReason ? ` (station's reason: ${tx.stopReason})` : ''}` });
      started(tx);
    }
    // Those still running (seen: only finished ones were listed).
    for (const tx of Object.values((await deps.service.state(identity))?.transactions ?? {})) started(tx);
  }
  return out.sort((a, b) => b.at.localeCompare(a.at)).slice(0, limit);
}

/** Server-Sent Events: a snapshot at once, then one a second, until the browser goes away. */
function stream(req: IncomingMessage, res: ServerResponse, snapshot: () => Promise<unknown>): void {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
  const push = (): void => {
    snapshot().then((data) => res.write(`event: snapshot\ndata: ${JSON.stringify(data)}\n\n`), () => undefined);
  };
  push();
  const timer = setInterval(push, 1_000);
  req.on('close', () => clearInterval(timer));
}

async function runCommand(deps: AdminApiDeps, id: string, name: CommandName, body: Record<string, unknown>): Promise<unknown> {
  switch (name) {
    case 'remote-start':
      return deps.operator.remoteStart(id, body.connectorId as number, body.idTag as string);
    case 'remote-stop':
      return deps.operator.remoteStop(id, body.transactionId as number);
    case 'unlock':
      return deps.operator.unlock(id, body.connectorId as number);
    case 'trigger':
      return deps.operator.trigger(id, body.message as string, body.connectorId as number | undefined);
    case 'change-availability':
      return deps.operator.changeAvailability(id, body.connectorId as number, body.operative as boolean);
    case 'reset':
      return deps.operator.reset(id, body.type === 'Hard');
    case 'clear-cache':
      return deps.operator.clearCache(id);
    case 'data-transfer':
      return deps.operator.dataTransfer(id, body as { vendorId: string; messageId?: string; data?: string });
    case 'resync-local-list':
      return deps.localList.fullSync(id);
    case 'install-certificate':
      return deps.certificates.install(id, body.certificateType as InstallCertificateUse, body.certificate as string);
    case 'delete-certificate':
      return deps.certificates.delete(id, body.id as string);
    case 'refresh-certificates': {
      const list = await deps.certificates.refresh(id, ...(body.certificateTypes ? [body.certificateTypes as CertificateIdUse[]] : []));
      return list.map((c) => ({ id: hashDataId(c), ...c }));
    }
  }
}
