import { StaleConnectionError, type ChargePointService, type Origin } from '../domain/charge-point-service.ts';
import type { BootNotificationRequestData } from '../domain/model.ts';
import type { ReportPart } from '../domain/configuration.ts';
import { applyFirmwareStatus } from '../domain/firmware.ts';
import { isoTime } from '../domain/clock.ts';
import type { Logger } from '../log/logger.ts';
import type { StationDirectory } from './core/stations.ts';
import { readStationTime } from './core/timestamps.ts';
import type { OcppConnection } from './core/connection.ts';
import type { PncStationHandlers } from './pnc-messages.ts';
import { RpcError } from './core/errors.ts';
import type { Payload } from './core/frame.ts';
import type { VersionAdapter } from './core/server.ts';
import type { CallMap } from './core/typed-call.ts';

/** What every version adapter is built from. */
export interface AdapterDeps {
  service: ChargePointService;
  directory: StationDirectory;
  heartbeatIntervalSec: number;
  /** Interval a Pending or Rejected station is told to wait before booting again. */
  bootRetryIntervalSec: number;
  /** Vendor-specific DataTransfer handlers by vendorId. */
  dataTransfer?: ReadonlyMap<string, DataTransferHandler>;
  /** Plug & Charge, when enabled: 2.0.1 messages, and 1.6 DataTransfer org.openchargealliance.iso15118pnc. */
  pnc?: PncStationHandlers;
  now?: () => Date;
  log: Logger;
  /** Told when a BootNotification was answered Accepted (after the answer went out). */
  onAccepted?: (connection: OcppConnection) => void;
  /** Told of each part of a 2.0.1 report (NotifyReport) once it is answered. */
  onReport?: (identity: string, part: ReportPart) => void;
  /** Told once a firmware status notification is answered (its status is in the station's state). */
  onFirmwareStatus?: (identity: string) => void;
  /** Told of a log or diagnostics upload status once it is answered. */
  onLogStatus?: (identity: string, status: LogStatusReport) => void;
}

/** A LogStatusNotification (Diagnostics: a 1.6 DiagnosticsStatusNotification, which names no request). */
export interface LogStatusReport {
  status: string;
  requestId?: number;
  diagnostics: boolean;
}

/**
 * A firmware status notification (1.6 core has no requestId; 1.6 security and 2.0.1 may name
 * one): kept as a report and applied to the station's firmware update in the same commit.
 */
export function firmwareStatusHandler(service: ChargePointService, action: string): ActionHandler<{ status: string; requestId?: number }, Record<string, never>> {
  return async (payload, _c, origin) => {
    await service.report(origin, { action, payloadJson: JSON.stringify(payload) }, (state, now) => {
      applyFirmwareStatus(state, { status: payload.status, ...(payload.requestId !== undefined ? { requestId: payload.requestId } : {}), at: now });
    });
    return {};
  };
}


/** The answer to a DataTransfer, the same in both versions. */
export interface DataTransferAnswer {
  status: 'Accepted' | 'Rejected' | 'UnknownMessageId' | 'UnknownVendorId';
  data?: string;
}

export type DataTransferHandler = (messageId: string | undefined, data: string | undefined, connection: OcppConnection) => Promise<DataTransferAnswer>;

/** Handles one action: takes its (schema-validated) request, returns its response. */
export type ActionHandler<Req, Res> = (payload: Req, connection: OcppConnection, origin: Origin) => Promise<Res>;

/** The handlers of a version's station-initiated actions, each typed by the version's generated action map. */
export type ActionHandlers<M extends CallMap<M>> = { [A in keyof M]?: ActionHandler<M[A]['req'], M[A]['conf']> };

/** Work after an action's answer has gone out, with what was asked and answered. */
export type AfterHooks<M extends CallMap<M>> = { [A in keyof M]?: (payload: M[A]['req'], response: M[A]['conf'], connection: OcppConnection) => void };

/**
 * Builds a version adapter: handlers typed by their action's generated request and response
 * types, and the rule that a station whose BootNotification was not Accepted may only send
 * BootNotification.
 */
export function defineAdapter<M extends CallMap<M>>(
  service: ChargePointService,
  handlers: ActionHandlers<M>,
  transactionActions: (keyof M & string)[],
  after: AfterHooks<M> = {},
): VersionAdapter {
  // The schema check has already proved that a payload has its action's shape: this is the
  // one place where an action's name picks its payload type.
  const byAction = handlers as unknown as Partial<Record<string, ActionHandler<unknown, Payload>>>;
  const afterAction = after as unknown as Partial<Record<string, (payload: unknown, response: Payload, connection: OcppConnection) => void>>;
  return {
    handledActions: new Set(Object.keys(handlers)),
    transactionActions: new Set(transactionActions),
    async handle(action, payload, connection) {
      const handler = byAction[action];
      if (!handler) throw new RpcError('NotSupported', `${action} is not supported`);
      if (action !== 'BootNotification' && !(await service.isAccepted(connection.identity))) {
        throw new RpcError('SecurityError', `${connection.identity} must be accepted by BootNotification before sending ${action}`);
      }
      const origin: Origin = { identity: connection.identity, isCurrent: () => connection.isActive, fromStation: true };
      try {
        const response = await handler(payload, connection, origin);
        const hook = afterAction[action];
        return hook ? { response, after: () => hook(payload, response, connection) } : { response };
      } catch (err) {
        if (err instanceof StaleConnectionError) throw new RpcError('GenericError', err.message);
        throw err;
      }
    },
  };
}

/** The answer to DataTransfer, shared by both versions: unknown vendors get UnknownVendorId. */
export async function answerDataTransfer(
  deps: AdapterDeps,
  origin: Origin,
  connection: OcppConnection,
  payload: { vendorId: string; messageId?: string; data?: unknown },
): Promise<DataTransferAnswer> {
  await deps.service.report(origin, { action: 'DataTransfer', payloadJson: JSON.stringify(payload) });
  const handler = deps.dataTransfer?.get(payload.vendorId);
  if (!handler) return { status: 'UnknownVendorId' };
  const data = typeof payload.data === 'string' ? payload.data : payload.data === undefined ? undefined : JSON.stringify(payload.data);
  return handler(payload.messageId, data, connection);
}

/**
 * Handlers for station messages the gateway stores but does not act on: each is kept and
 * answered {} (the action map then checks that {} is a valid response of each).
 */
export function recordOnly<A extends string>(service: ChargePointService, actions: A[]): Record<A, ActionHandler<unknown, Record<string, never>>> {
  const handlers = Object.fromEntries(actions.map((action) => [action, async (payload: unknown, _c: OcppConnection, origin: Origin) => {
    await service.report(origin, { action, payloadJson: JSON.stringify(payload) });
    return {};
  }]));
  return handlers as Record<A, ActionHandler<unknown, Record<string, never>>>;
}

/** Records a BootNotification and answers it with the station's registration and interval. */
export async function answerBoot(
  deps: AdapterDeps, origin: Origin, connection: OcppConnection, boot: BootNotificationRequestData, reason: string,
): Promise<{ status: 'Accepted' | 'Pending' | 'Rejected'; currentTime: string; interval: number }> {
  const registration = registrationOf(deps, connection.identity);
  await deps.service.boot(origin, { boot, reason, registration, ocppVersion: connection.version });
  const interval = registration === 'Accepted' ? deps.heartbeatIntervalSec : deps.bootRetryIntervalSec;
  return { status: registration, currentTime: nowIso(deps), interval };
}

/**
 * After an Accepted BootNotification's answer is on its way (a station may ignore our CALLs
 * until it is accepted): the node's own work with the station begins.
 */
export function afterBoot(deps: AdapterDeps): (payload: unknown, response: { status: string }, connection: OcppConnection) => void {
  return (_payload, response, connection) => {
    if (response.status === 'Accepted') deps.onAccepted?.(connection);
  };
}

/** Heartbeat is the same in both versions: note the station is alive, tell it the time. */
export function answerHeartbeat(deps: AdapterDeps): ActionHandler<unknown, { currentTime: string }> {
  return async (_payload, _connection, origin) => {
    await deps.service.heartbeat(origin);
    return { currentTime: nowIso(deps) };
  };
}

export function nowIso(deps: AdapterDeps): string {
  return isoTime(deps.now?.() ?? new Date());
}

function registrationOf(deps: AdapterDeps, identity: string): 'Accepted' | 'Pending' | 'Rejected' {
  return deps.directory.lookup(identity)?.registration ?? 'Rejected';
}

/**
 * A station timestamp as ISO 8601 UTC (the receipt time is kept separately by the domain).
 * Times from the future or before the station's boot usually mean an unset clock: logged,
 * and kept as the station said.
 */
export function stationTime(deps: AdapterDeps, connection: OcppConnection, text: string): string {
  const { iso, suspect } = readStationTime(text, deps.now?.() ?? new Date());
  if (suspect) deps.log.warn('implausible station timestamp', { station: connection.identity, timestamp: text });
  return iso;
}
