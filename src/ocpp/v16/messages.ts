// Payload shapes of the OCPP 1.6 messages this central system handles, as the OCA schemas
// define them (the schemas, loaded from ocpp-rpc, validate every payload before it gets here).

export interface BootNotificationReq {
  chargePointVendor: string;
  chargePointModel: string;
  chargePointSerialNumber?: string;
  chargeBoxSerialNumber?: string;
  firmwareVersion?: string;
  iccid?: string;
  imsi?: string;
  meterType?: string;
  meterSerialNumber?: string;
}

export interface StatusNotificationReq {
  connectorId: number;
  errorCode: string;
  status: string;
  timestamp?: string;
  info?: string;
  vendorId?: string;
  vendorErrorCode?: string;
}

export interface SampledValue16 {
  value: string;
  context?: string;
  format?: string;
  measurand?: string;
  phase?: string;
  location?: string;
  unit?: string;
}

export interface MeterValue16 {
  timestamp: string;
  sampledValue: SampledValue16[];
}

export interface StartTransactionReq {
  connectorId: number;
  idTag: string;
  meterStart: number;
  timestamp: string;
  reservationId?: number;
}

export interface StopTransactionReq {
  transactionId: number;
  meterStop: number;
  timestamp: string;
  idTag?: string;
  reason?: string;
  transactionData?: MeterValue16[];
}

export interface MeterValuesReq {
  connectorId: number;
  transactionId?: number;
  meterValue: MeterValue16[];
}

export interface DataTransferReq {
  vendorId: string;
  messageId?: string;
  data?: string;
}
