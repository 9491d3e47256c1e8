// The domain speaks in the types of proto/gateway.proto (one source of truth), plus the
// version-neutral commands that the OCPP v16/v201 adapters translate messages into.
import type { BootNotificationRequestData, ChargePointState, ConnectorInfo, TransactionInfo } from '../proto/types.ts';

export type { BootNotificationRequestData, ChargePointState, ConnectorInfo, TransactionInfo };

/** The registration a BootNotification got (a booted station's ChargePointState.status). */
export type RegistrationStatus = Exclude<ChargePointState['status'], ''>;

/** A connector's (1.6) or EVSE's (2.0.1) last reported status, as proto/gateway.proto lists them. */
export type ConnectorStatus = Exclude<ConnectorInfo['status'], ''>;

/** The idTag / idToken status values this gateway answers with (1.6 names; 2.0.1 shares them). */
export type AuthorizationStatus = 'Accepted' | 'Blocked' | 'Expired' | 'Invalid' | 'ConcurrentTx';

/** One meter reading, whatever the version's encoding. Values are in the unit given. */
export interface Sample {
  measurand: string;
  value: number;
  unit: string;
  phase?: string;
}

/** A group of samples taken at one time, with the station's raw encoding kept alongside. */
export interface MeterReading {
  stationTime: string;
  samples: Sample[];
  /** The sampledValue array as received (JSON), kept so signed meter values survive. */
  rawJson: string;
}

export interface TransactionStart {
  /** 1.6 connectorId, or 2.0.1 evseId: the key of ChargePointState.connectors. */
  connectorId: number;
  idTag: string;
  idTokenType?: string;
  meterStartWh: number;
  stationTime: string;
  /** 2.0.1: the station's transaction id. */
  ocppTransactionId?: string;
  remoteStartId?: number;
  offline?: boolean;
  /** The reservation the station started it with: used up. */
  reservationId?: number;
}

export interface TransactionStop {
  meterStopWh?: number;
  stationTime: string;
  reason?: string;
}
