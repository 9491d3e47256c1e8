import { COMMANDS, CONFIGURATION_CHANGE, FRAME_CAPTURE, RESERVATION, TAG_CHANGE, csmsActions } from './admin-api.ts';
import { FIRMWARE_UPDATE, IMAGE_DESCRIPTION, LOG_REQUEST, ROLLOUT } from './admin-files-api.ts';
import { MONITOR } from './admin-monitoring-api.ts';
import { loadSchemas } from '../src/ocpp/core/schemas.ts';
import type { OcppVersion } from '../src/ocpp/core/version.ts';

const json = (schema: object, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
const error = { type: 'object', properties: { error: { type: 'string' }, field: { type: 'string' } }, required: ['error'] };
const errors = {
  400: json(error, 'Invalid request; `field` names the bad field'),
  401: json(error, 'No or wrong Bearer token'),
  403: json(error, 'A read-only token asked for a change'),
  404: json(error, 'Unknown station, command or transaction'),
};
const stationParam = { name: 'identity', in: 'path', required: true, schema: { type: 'string' } };
const imageParam = { name: 'image', in: 'path', required: true, schema: { type: 'string', description: 'The image id (its sha256)' } };
const paging = [
  { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
  { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 } },
];

const VERSIONS: OcppVersion[] = ['ocpp1.6', 'ocpp2.0.1'];

/**
 * The official schema of an action's request or answer in one version, as a component: its id
 * names the version (both versions have a Reset.req), so its own "#/definitions" refs resolve
 * inside it.
 */
function ocppSchemas(): Record<string, object> {
  const out: Record<string, object> = {};
  for (const version of VERSIONS) {
    const actions = new Set(csmsActions(version));
    for (const { $id, $schema: _draft, ...schema } of loadSchemas(version)) {
      const [action, direction] = $id.replace(/^urn:/, '').split('.');
      if (actions.has(action!)) out[`${version}.${action}.${direction}`] = { $id: `urn:${version}:${action}.${direction}`, ...schema };
    }
  }
  return out;
}

/** The paths of operator calls: one per action, its body and answer as each version's schema says. */
function callPaths(): Record<string, object> {
  const names = [...new Set(VERSIONS.flatMap((v) => csmsActions(v)))].sort();
  const ref = (version: OcppVersion, action: string, direction: 'req' | 'conf') => ({ title: version, $ref: `#/components/schemas/${version}.${action}.${direction}` });
  return Object.fromEntries(names.map((action) => {
    const versions = VERSIONS.filter((v) => csmsActions(v).includes(action));
    return [`/api/stations/{identity}/calls/${action}`, {
      post: {
        summary: `OCPP ${action} (${versions.join(', ')}), in the station's own version`,
        description: 'The payload is checked against the official schema of the station\'s version before it is sent (400 with the schema error); the station\'s answer is returned as it gave it, and the exchange is kept among the station\'s reports (OperatorCall).',
        parameters: [stationParam],
        requestBody: { required: true, content: { 'application/json': { schema: { oneOf: versions.map((v) => ref(v, action, 'req')) } } } },
        responses: {
          200: json({ type: 'object', properties: { action: { const: action }, response: { oneOf: versions.map((v) => ref(v, action, 'conf')) } } }),
          502: json(error, 'The station is offline, did not answer in time, or answered with a CALLERROR (`code`: StationOffline, Timeout, Refused)'),
          ...errors,
        },
      },
    }];
  }));
}

const tagParam = { name: 'idTag', in: 'path', required: true, schema: { type: 'string', maxLength: 20 } };
const historyFilters = [
  { name: 'station', in: 'query', schema: { type: 'string' } },
  { name: 'from', in: 'query', description: 'started at or after (ISO 8601)', schema: { type: 'string', format: 'date-time' } },
  { name: 'to', in: 'query', description: 'started before (ISO 8601)', schema: { type: 'string', format: 'date-time' } },
  { name: 'consumer', in: 'query', description: 'SS58 address or public key hex', schema: { type: 'string' } },
  { name: 'idTag', in: 'query', schema: { type: 'string' } },
  { name: 'state', in: 'query', schema: { enum: ['open', 'finished'] } },
];

/** The admin API's OpenAPI 3.1 document; the command bodies are the schemas that validate them. */
export function openApiDocument(version: string): object {
  return {
    openapi: '3.1.0',
    info: { title: 'charging-gateway admin API', version },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } }, schemas: ocppSchemas() },
    security: [{ bearer: [] }],
    paths: {
      '/api/stations': { get: { summary: 'Stations with live status and connectors', responses: { 200: json({ type: 'array' }), 401: errors[401] } } },
      '/api/stations/{identity}': {
        get: { summary: 'A station: its ChargePointState, connection and schema deviations', parameters: [stationParam], responses: { 200: json({ type: 'object' }), ...errors } },
        delete: { summary: 'Forget a station that is offline and runs nothing (409 otherwise); consumers\' receipts stay', parameters: [stationParam], responses: { 200: json({ type: 'object' }), 409: json(error, 'Connected, or with open transactions or sessions'), ...errors } },
      },
      '/api/dashboard': { get: { summary: 'The dashboard\'s snapshot: stations, connectors, active sessions', responses: { 200: json({ type: 'object' }), 401: errors[401] } } },
      '/api/stream': { get: { summary: 'The dashboard\'s snapshot every second as Server-Sent Events (event: snapshot); the token may be given as ?token=', responses: { 200: { description: 'text/event-stream' }, 401: errors[401] } } },
      '/api/stations/{identity}/transactions': { get: { summary: 'Finished transactions, newest first', parameters: [stationParam, ...paging], responses: { 200: json({ type: 'object' }), ...errors } } },
      '/api/stations/{identity}/local-list': { get: { summary: 'The station local authorization list (our copy) and its version', parameters: [stationParam], responses: { 200: json({ type: 'object' }), ...errors } } },
      '/api/stations/{identity}/reports': { get: { summary: 'What the station sent that is kept as received (DataTransfer, NotifyReport, NotifyEvent, security events, status notifications), newest first, with the bytes used and the station\'s budget', parameters: [stationParam, ...paging], responses: { 200: json({ type: 'object' }), ...errors } } },
      '/api/stations/{identity}/certificates': { get: { summary: 'Certificates on the station as last known (installed, signed, or reported), each with the id delete-certificate takes', parameters: [stationParam], responses: { 200: json({ type: 'array' }), ...errors } } },
      ...Object.fromEntries(Object.entries(COMMANDS).map(([name, schema]) => [`/api/stations/{identity}/commands/${name}`, {
        post: {
          summary: `Command: ${name}`, parameters: [stationParam],
          requestBody: { required: true, content: { 'application/json': { schema } } },
          responses: { 200: json({ type: 'object', properties: { result: {} } }), 502: json(error, 'The station is offline or did not answer'), ...errors },
        },
      }])),
      '/api/stations/{identity}/reservations': {
        get: { summary: 'The station\'s reservations still running, soonest to expire first', parameters: [stationParam], responses: { 200: json({ type: 'array' }), ...errors } },
        post: {
          summary: 'Reserve a connector for an idTag (ReserveNow in the station\'s version): 201 with the reservation when accepted, 409 with the station\'s status when not',
          parameters: [stationParam], requestBody: { required: true, content: { 'application/json': { schema: RESERVATION } } },
          responses: { 201: json({ type: 'object' }), 409: json({ type: 'object' }), 502: json(error, 'The station is offline or did not answer'), ...errors },
        },
      },
      '/api/stations/{identity}/reservations/{reservationId}': {
        delete: { summary: 'Cancel a reservation (CancelReservation): the station\'s status', parameters: [stationParam, { name: 'reservationId', in: 'path', required: true, schema: { type: 'integer' } }], responses: { 200: json({ type: 'object' }), ...errors } },
      },
      '/api/firmware': {
        get: { summary: 'The firmware images on the node, newest first', responses: { 200: json({ type: 'array' }), ...errors } },
        post: {
          summary: 'Upload an image (the body is the file): 201 with the image (its id is its sha256); 200 with the one kept when the same bytes are there already; 400 when `sha256` differs from what arrived; 413 over files.maxFirmwareBytes. Nothing is kept unless the whole file is',
          parameters: [{ name: 'name', in: 'query', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,100}$' } }, { name: 'sha256', in: 'query', schema: { type: 'string', pattern: '^[0-9a-fA-F]{64}$' } }],
          requestBody: { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
          responses: { 200: json({ type: 'object' }), 201: json({ type: 'object' }), 413: json(error, 'Larger than files.maxFirmwareBytes'), ...errors },
        },
      },
      '/api/firmware/{image}': {
        get: { summary: 'One image', parameters: [imageParam], responses: { 200: json({ type: 'object' }), ...errors } },
        put: { summary: 'Set the image\'s signature and signing certificate (both, or neither) or note', parameters: [imageParam], requestBody: { required: true, content: { 'application/json': { schema: IMAGE_DESCRIPTION } } }, responses: { 200: json({ type: 'object' }), ...errors } },
        delete: { summary: 'Remove an image that no running rollout or unfinished update uses (409 otherwise)', parameters: [imageParam], responses: { 200: json({ type: 'object' }), 409: json(error, 'In use'), ...errors } },
      },
      '/api/stations/{identity}/firmware': {
        get: { summary: 'The station\'s last firmware update: its answer, then each status it reported, and whether it ended', parameters: [stationParam], responses: { 200: json({ type: 'object', properties: { update: { type: 'object', nullable: true } } }), ...errors } },
        post: {
          summary: 'Send the station an update with an image (1.6 UpdateFirmware, or SignedUpdateFirmware for a signed image; 2.0.1 UpdateFirmware): it downloads from /files/firmware on the OCPP port. Answers the update as it stands (a quick station may already have reported a status) with the station\'s answer in `answer`',
          parameters: [stationParam], requestBody: { required: true, content: { 'application/json': { schema: FIRMWARE_UPDATE } } },
          responses: { 200: json({ type: 'object' }), 502: json(error, 'The station is offline or did not answer'), ...errors },
        },
      },
      '/api/rollouts': {
        get: { summary: 'The firmware rollouts, newest first, with each station\'s state (waiting, updating, installed, failed with the reason, cancelled)', responses: { 200: json({ type: 'array' }), ...errors } },
        post: { summary: 'Install an image on these stations in order, at most maxParallel updating at once; an offline station is started once it connects; an update with no status for files.firmwareTimeoutMin fails', requestBody: { required: true, content: { 'application/json': { schema: ROLLOUT } } }, responses: { 201: json({ type: 'object' }), ...errors } },
      },
      '/api/rollouts/{id}': {
        get: { summary: 'One rollout', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: json({ type: 'object' }), ...errors } },
        delete: { summary: 'Cancel a rollout: no more stations start (those updating finish)', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: json({ type: 'object' }), 409: json(error, 'Not running'), ...errors } },
      },
      '/api/stations/{identity}/events': {
        get: {
          summary: 'A 2.0.1 station\'s NotifyEvent events, newest first (kept among its reports, within their quota); `component` and `variable` filter (case-insensitive)',
          parameters: [stationParam, { name: 'component', in: 'query', schema: { type: 'string' } }, { name: 'variable', in: 'query', schema: { type: 'string' } }, paging[0]],
          responses: { 200: json({ type: 'array' }), ...errors },
        },
      },
      '/api/stations/{identity}/monitors': {
        post: {
          summary: 'Set a variable monitor on a 2.0.1 station (SetVariableMonitoring): its status and id (409 for a 1.6 station)',
          parameters: [stationParam], requestBody: { required: true, content: { 'application/json': { schema: MONITOR } } },
          responses: { 200: json({ type: 'object', properties: { status: { type: 'string' }, id: { type: 'integer' } } }), 409: json(error, 'Not a 2.0.1 station'), 502: json(error, 'The station is offline or did not answer'), ...errors },
        },
      },
      '/api/stations/{identity}/logs': {
        get: { summary: 'The logs asked of the station, newest first: type, the station\'s status, and the file once it arrived (name, size, sha256)', parameters: [stationParam], responses: { 200: json({ type: 'array' }), ...errors } },
        post: {
          summary: 'Ask the station for a log (1.6 GetDiagnostics or GetLog; 2.0.1 GetLog) with a one-time upload URL under /files/logs on the OCPP port (PUT or POST, raw or multipart/form-data; 24 hours; one file of at most files.maxLogBytes)',
          parameters: [stationParam], requestBody: { content: { 'application/json': { schema: LOG_REQUEST } } },
          responses: { 200: json({ type: 'object' }), 502: json(error, 'The station is offline or did not answer'), ...errors },
        },
      },
      '/api/stations/{identity}/logs/{requestId}/file': {
        get: { summary: 'The file the station uploaded', parameters: [stationParam, { name: 'requestId', in: 'path', required: true, schema: { type: 'integer' } }], responses: { 200: { description: 'The file', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } }, ...errors } },
      },
      '/api/stations/{identity}/frames': { get: { summary: 'The station\'s OCPP frames captured (credentials and idTags masked), oldest first, and whether the capture runs', parameters: [stationParam], responses: { 200: json({ type: 'object' }), ...errors } } },
      '/api/stations/{identity}/frames/capture': {
        post: { summary: 'Capture the station\'s frames for `minutes` (the newest 500 kept, in memory)', parameters: [stationParam], requestBody: { content: { 'application/json': { schema: FRAME_CAPTURE } } }, responses: { 200: json({ type: 'object', properties: { until: { type: 'string' } } }), ...errors } },
        delete: { summary: 'Stop capturing (what was captured stays readable)', parameters: [stationParam], responses: { 200: json({ type: 'object' }), ...errors } },
      },
      '/api/stations/{identity}/configuration': {
        get: {
          summary: 'The station\'s configuration as last read (1.6 keys, 2.0.1 device model), or the snapshot taken at `at`; `search` filters by name, component or value',
          parameters: [stationParam, { name: 'at', in: 'query', schema: { type: 'string' } }, { name: 'search', in: 'query', schema: { type: 'string' } }],
          responses: { 200: json({ type: 'object' }), ...errors },
        },
        post: {
          summary: 'Set one variable (1.6 ChangeConfiguration, 2.0.1 SetVariables): the station\'s status, and whether it needs a reboot',
          parameters: [stationParam], requestBody: { required: true, content: { 'application/json': { schema: CONFIGURATION_CHANGE } } },
          responses: { 200: json({ type: 'object', properties: { name: { type: 'string' }, status: { type: 'string' }, rebootRequired: { type: 'boolean' } } }), 502: json(error, 'The station is offline or did not answer'), ...errors },
        },
      },
      '/api/stations/{identity}/configuration/refresh': { post: { summary: 'Read the whole configuration now (1.6 GetConfiguration; 2.0.1 GetBaseReport, assembled from its NotifyReport parts) and keep it as the newest snapshot', parameters: [stationParam], responses: { 200: json({ type: 'object' }), 502: json(error, 'The station is offline, refused or did not finish its report'), ...errors } } },
      '/api/stations/{identity}/configuration/snapshots': { get: { summary: 'When each kept configuration snapshot was taken, oldest first', parameters: [stationParam], responses: { 200: json({ type: 'object' }), ...errors } } },
      '/api/stations/{identity}/configuration/diff': {
        get: {
          summary: 'What differs between two snapshots (by default the two newest): variables added, removed or with another value',
          parameters: [stationParam, { name: 'from', in: 'query', schema: { type: 'string' } }, { name: 'to', in: 'query', schema: { type: 'string' } }],
          responses: { 200: json({ type: 'object' }), ...errors },
        },
      },
      '/api/stations/{identity}/calls': { get: { summary: 'The OCPP actions an operator may send to this station, in its version', parameters: [stationParam], responses: { 200: json({ type: 'object', properties: { ocppVersion: { type: 'string' }, actions: { type: 'array', items: { type: 'string' } } } }), ...errors } } },
      ...callPaths(),
      '/api/transactions': {
        get: {
          summary: 'Transactions on every station, newest start first, filtered; paged by `cursor` (the `nextCursor` of the previous page), which neither repeats nor skips a row while transactions start',
          parameters: [...historyFilters, paging[0], { name: 'cursor', in: 'query', schema: { type: 'string' } }],
          responses: { 200: json({ type: 'object', properties: { items: { type: 'array' }, nextCursor: { type: 'string' } } }), ...errors },
        },
      },
      '/api/transactions.csv': { get: { summary: 'The same transactions (every match) as CSV', parameters: historyFilters, responses: { 200: { description: 'text/csv' }, ...errors } } },
      '/api/stations/{identity}/transactions/{id}': {
        get: {
          summary: 'A transaction with its meter readings as the station sent them, signed ones marked',
          parameters: [stationParam, { name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } }],
          responses: { 200: json({ type: 'object' }), ...errors },
        },
      },
      '/api/audit': {
        get: {
          summary: 'Who asked for which change (every request but GET, allowed or not), newest first: when, the token\'s name and role, method, path, status',
          parameters: [paging[0], { name: 'cursor', in: 'query', schema: { type: 'string' } }],
          responses: { 200: json({ type: 'object', properties: { items: { type: 'array' }, nextCursor: { type: 'string' } } }), 401: errors[401] },
        },
      },
      '/api/tags': { get: { summary: 'The operator\'s cards (RFID idTags), good on every station', responses: { 200: json({ type: 'array' }), 401: errors[401] } } },
      '/api/tags/{idTag}': {
        get: { summary: 'One card', parameters: [tagParam], responses: { 200: json({ type: 'object' }), ...errors } },
        put: {
          summary: 'Add a card or change one (absent fields keep their value); every station\'s local list follows',
          parameters: [tagParam], requestBody: { required: true, content: { 'application/json': { schema: TAG_CHANGE } } }, responses: { 200: json({ type: 'object' }), ...errors },
        },
        delete: { summary: 'Remove a card, from every station\'s list too', parameters: [tagParam], responses: { 200: json({ type: 'object' }), ...errors } },
      },
      '/api/tags.csv': {
        get: { summary: 'Every card as CSV (idTag,status,expiryDate,parentIdTag,note,updatedAt)', responses: { 200: { description: 'text/csv' }, 401: errors[401] } },
        post: {
          summary: 'Add or change the cards of a CSV body (a header line names the columns, idTag among them): how many were taken, and each line that was not, with why',
          requestBody: { required: true, content: { 'text/csv': { schema: { type: 'string' } } } },
          responses: { 200: json({ type: 'object', properties: { imported: { type: 'integer' }, problems: { type: 'array' } } }), ...errors },
        },
      },
      '/api/sessions': {
        get: {
          summary: 'A consumer\'s finished sessions with receipts, newest first',
          parameters: [{ name: 'consumer', in: 'query', required: true, schema: { type: 'string', pattern: '^(0x)?[0-9a-f]{64}$' } }, ...paging],
          responses: { 200: json({ type: 'object' }), ...errors },
        },
      },
      '/api/recent': { get: { summary: 'What happened lately (transactions started and ended on every station, running ones included), newest first; the dashboard shows it when opened', parameters: paging.slice(0, 1), responses: { 200: json({ type: 'array' }), 401: errors[401] } } },
      '/api/debts': { get: { summary: 'What settled sessions left unpaid (the deposit did not cover them); their consumers are refused new sessions until paid', responses: { 200: json({ type: 'object' }), 401: errors[401] } } },
      '/api/payouts': {
        get: {
          summary: 'Payouts from consumers\' multisigs: open (approved by the gateway), executed (paid by the chain, with its block) or failed',
          parameters: [{ name: 'consumer', in: 'query', schema: { type: 'string', pattern: '^(0x)?[0-9a-f]{64}$' } }, { name: 'state', in: 'query', schema: { enum: ['open', 'executed', 'failed'] } }, ...paging],
          responses: { 200: json({ type: 'object' }), ...errors },
        },
      },
      '/metrics': { get: { summary: 'Prometheus metrics', security: [], responses: { 200: { description: 'text/plain exposition format' } } } },
      '/healthz': { get: { summary: 'The process is alive', security: [], responses: { 200: json({ type: 'object' }) } } },
      '/readyz': { get: { summary: 'The node serves (503 with reasons when not)', security: [], responses: { 200: json({ type: 'object' }), 503: json({ type: 'object' }) } } },
    },
  };
}
