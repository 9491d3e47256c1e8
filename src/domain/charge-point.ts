import type { BootNotificationRequestData, ChargePointState, ConnectorInfo, ConnectorStatus, RegistrationStatus } from './model.ts';

export function emptyState(identity: string): ChargePointState {
  return {
    id: identity,
    status: '',
    connectors: {},
    transactions: {},
    authList: {},
    currentAuthListVersion: 0,
    currentTransactionId: 0,
    ocppVersion: '',
    bootReceivedAt: '',
    lastSeenAt: '',
    transactionIds: {},
    bootReason: '',
    sessions: {},
    remoteStartCounter: 0,
    localListDirty: false,
    localListPending: 0,
    remoteStartGrants: {},
    reservations: {},
    reservationsToCancel: [],
    reportsBytes: 0,
    eventSeq: 0,
  };
}

export function emptyConnector(id: number): ConnectorInfo {
  return {
    id,
    status: '',
    currentTransaction: 0,
    evseId: 0,
    connectorStatuses: {},
    errorCode: '',
    statusTimestamp: '',
    statusReceivedAt: '',
  };
}

/** A station is served only once its BootNotification was Accepted (kept across reconnects). */
export function isAccepted(state: ChargePointState | undefined): boolean {
  return state?.status === 'Accepted';
}

export interface BootCommand {
  boot: BootNotificationRequestData;
  reason: string;
  registration: RegistrationStatus;
  ocppVersion: string;
  receivedAt: string;
}

export function applyBoot(state: ChargePointState, cmd: BootCommand): void {
  state.status = cmd.registration;
  state.boot = cmd.boot;
  state.bootReason = cmd.reason;
  state.ocppVersion = cmd.ocppVersion;
  state.bootReceivedAt = cmd.receivedAt;
  state.lastSeenAt = cmd.receivedAt;
}

export interface StatusCommand {
  /** Key of the connectors map: 1.6 connectorId or 2.0.1 evseId (0 = the station itself). */
  connectorId: number;
  /** 2.0.1: the connector within the EVSE. */
  evseConnectorId?: number;
  status: ConnectorStatus;
  errorCode?: string;
  stationTime: string;
  receivedAt: string;
}

// When an EVSE has several connectors, the EVSE shows the most significant of their states.
const SIGNIFICANCE: readonly ConnectorStatus[] = ['Occupied', 'Faulted', 'Unavailable', 'Reserved', 'Available'];

export function applyStatus(state: ChargePointState, cmd: StatusCommand): void {
  const connector = state.connectors[cmd.connectorId] ?? emptyConnector(cmd.connectorId);
  if (cmd.evseConnectorId !== undefined) {
    connector.evseId = cmd.connectorId;
    connector.connectorStatuses[cmd.evseConnectorId] = cmd.status;
    const statuses = Object.values(connector.connectorStatuses);
    connector.status = SIGNIFICANCE.find((s) => statuses.includes(s)) ?? cmd.status;
  } else {
    connector.status = cmd.status;
  }
  connector.errorCode = cmd.errorCode ?? '';
  connector.statusTimestamp = cmd.stationTime;
  connector.statusReceivedAt = cmd.receivedAt;
  state.connectors[cmd.connectorId] = connector;
}
