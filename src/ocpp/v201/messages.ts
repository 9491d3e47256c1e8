// Payload shapes of the OCPP 2.0.1 messages this central system handles, as the OCA
// schemas define them (validated before they reach the adapter).

export interface IdToken {
  idToken: string;
  type: string;
}

export interface BootNotificationReq {
  reason: string;
  chargingStation: {
    model: string;
    vendorName: string;
    serialNumber?: string;
    firmwareVersion?: string;
    modem?: { iccid?: string; imsi?: string };
  };
}

export interface StatusNotificationReq {
  timestamp: string;
  connectorStatus: string;
  evseId: number;
  connectorId: number;
}

export interface SampledValue201 {
  value: number;
  context?: string;
  measurand?: string;
  phase?: string;
  location?: string;
  signedMeterValue?: Record<string, unknown>;
  unitOfMeasure?: { unit?: string; multiplier?: number };
}

export interface MeterValue201 {
  timestamp: string;
  sampledValue: SampledValue201[];
}

export interface TransactionEventReq {
  eventType: 'Started' | 'Updated' | 'Ended';
  timestamp: string;
  triggerReason: string;
  seqNo: number;
  offline?: boolean;
  transactionInfo: {
    transactionId: string;
    chargingState?: string;
    stoppedReason?: string;
    remoteStartId?: number;
  };
  idToken?: IdToken;
  evse?: { id: number; connectorId?: number };
  meterValue?: MeterValue201[];
}

export interface MeterValuesReq {
  evseId: number;
  meterValue: MeterValue201[];
}

export interface DataTransferReq {
  vendorId: string;
  messageId?: string;
  data?: unknown;
}
