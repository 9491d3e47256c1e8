import { COMMANDS } from './admin-api.ts';

const json = (schema: object, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
const error = { type: 'object', properties: { error: { type: 'string' }, field: { type: 'string' } }, required: ['error'] };
const errors = {
  400: json(error, 'Invalid request; `field` names the bad field'),
  401: json(error, 'No or wrong Bearer token'),
  404: json(error, 'Unknown station, command or transaction'),
};
const stationParam = { name: 'identity', in: 'path', required: true, schema: { type: 'string' } };
const paging = [
  { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
  { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 } },
];

/** The admin API's OpenAPI 3.1 document; the command bodies are the schemas that validate them. */
export function openApiDocument(version: string): object {
  return {
    openapi: '3.1.0',
    info: { title: 'charging-gateway admin API', version },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths: {
      '/api/stations': { get: { summary: 'Stations with live status and connectors', responses: { 200: json({ type: 'array' }), 401: errors[401] } } },
      '/api/stations/{identity}': { get: { summary: 'A station: its ChargePointState, connection and schema deviations', parameters: [stationParam], responses: { 200: json({ type: 'object' }), ...errors } } },
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
