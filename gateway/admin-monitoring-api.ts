import type { IncomingMessage, ServerResponse } from 'node:http';
import { Ajv } from 'ajv';
import type { OperatorCommands } from '../src/app/operator-commands.ts';
import type { ChargePointService } from '../src/domain/charge-point-service.ts';
import { deviceEvents } from '../src/domain/device-events.ts';
import { HttpError, checked, page, readJson, send } from './admin-kit.ts';

export interface MonitoringApiDeps {
  service: ChargePointService;
  /** A station's stored reports, oldest first. */
  stations: { reports(identity: string): Promise<{ action: string; payloadJson: string; receivedAt: string }[]> };
  operator: OperatorCommands;
}

/** A variable monitor as SetVariableMonitoring takes it (one at a time). */
export const MONITOR = {
  type: 'object', additionalProperties: false, required: ['component', 'variable', 'type', 'value'],
  properties: {
    component: { type: 'string', minLength: 1, maxLength: 50 },
    variable: { type: 'string', minLength: 1, maxLength: 50 },
    evseId: { type: 'integer', minimum: 1 },
    type: { enum: ['UpperThreshold', 'LowerThreshold', 'Delta', 'Periodic', 'PeriodicClockAligned'] },
    value: { type: 'number', description: 'The threshold, the delta, or the period in seconds' },
    severity: { type: 'integer', minimum: 0, maximum: 9, default: 5, description: '0 danger … 9 debug' },
    transaction: { type: 'boolean', default: false, description: 'Only while a transaction runs' },
  },
} as const;
const checkMonitor = new Ajv({ allErrors: false }).compile(MONITOR);

/**
 * A 2.0.1 station's device events and monitors: GET /api/stations/{id}/events (its NotifyEvent
 * messages, kept among its reports within their quota, searched by component and variable) and
 * POST /api/stations/{id}/monitors (SetVariableMonitoring). Answers false for other paths.
 */
export async function monitoringApi(deps: MonitoringApiDeps, req: IncomingMessage, res: ServerResponse, url: URL, parts: string[]): Promise<boolean> {
  const [resource, id, sub, item] = parts;
  if (resource !== 'stations' || !id || item) return false;
  if (sub === 'events' && req.method === 'GET') {
    if (!(await deps.service.state(id))) throw new HttpError(404, `unknown station ${id}`);
    const q = url.searchParams;
    const events = deviceEvents(await deps.stations.reports(id), { ...(q.get('component') ? { component: q.get('component')! } : {}), ...(q.get('variable') ? { variable: q.get('variable')! } : {}), limit: page(url).limit });
    send(res, 200, events);
    return true;
  }
  if (sub === 'monitors' && req.method === 'POST') {
    const state = await deps.service.state(id);
    if (!state) throw new HttpError(404, `unknown station ${id}`);
    if (state.ocppVersion !== 'ocpp2.0.1') throw new HttpError(409, `${id} speaks ${state.ocppVersion || 'no version yet'}: variable monitoring is OCPP 2.0.1`);
    const m = checked(checkMonitor, await readJson(req)) as { component: string; variable: string; evseId?: number; type: string; value: number; severity?: number; transaction?: boolean };
    const answer = await deps.operator.call(id, 'SetVariableMonitoring', {
      setMonitoringData: [{
        value: m.value, type: m.type, severity: m.severity ?? 5, transaction: m.transaction ?? false,
        component: { name: m.component, ...(m.evseId ? { evse: { id: m.evseId } } : {}) }, variable: { name: m.variable },
      }],
    });
    const [result] = (answer as { setMonitoringResult?: { status?: string; id?: number; statusInfo?: unknown }[] }).setMonitoringResult ?? [];
    send(res, 200, { status: result?.status ?? 'Rejected', ...(result?.id !== undefined ? { id: result.id } : {}), ...(result?.statusInfo ? { statusInfo: result.statusInfo } : {}) });
    return true;
  }
  return false;
}
