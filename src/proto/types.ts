// Generated from proto/ by `npm run gen:proto`. Do not edit: change the .proto files.

export interface Response {
  error: boolean;
  message: string;
}

export interface BootNotificationRequestData {
  chargeBoxSerialNumber: string;
  chargePointModel: string;
  ChargePointSerialNumber: string;
  ChargePointVendor: string;
  firmwareVersion: string;
  iccid: string;
  imsi: string;
  meterSerialNumber: string;
  meterType: string;
}

export interface LogData {
  currentTime: string;
  resp?: Response;
}

export interface AuthorizeRequestData {
  chargePointClientId: string;
  consumerPublicKey: string;
}

export interface AuthorizeResponseData {
  consumerPublicKey: string;
  resp?: Response;
}

export interface CheckAvailabilityRequestData {
  chargePointClientId: string;
  connectorId: number;
}

export interface CheckAvailabilityResponseData {
  resp?: Response;
}

export interface StartTransactionRequestData {
  chargePointClientId: string;
  connectorId: number;
  consumerPublicKey: string;
}

export interface StartTransactionResponseData {
  consumerPublicKey: string;
  resp?: Response;
}

export interface StopTransactionRequestData {
  chargePointClientId: string;
  connectorId: number;
  consumerPublicKey: string;
}

export interface StopTransactionResponseData {
  consumerPublicKey: string;
  transactionInfo?: TransactionInfo;
  resp?: Response;
}

export interface NotifyChargePointStateChangeData {
  chargePointClientId: string;
}

export interface EVChargingStatusData {
  currentOffered: number;
  currentUnit: string;
  voltageOffered: number;
  voltageUnit: string;
}

export interface ChargePointState {
  id: string;
  status: string;
  connectors: Record<string, ConnectorInfo>;
  transactions: Record<string, TransactionInfo>;
  authList: Record<string, ConsumerAuthData>;
  currentAuthListVersion: number;
  currentTransactionId: number;
  ocppVersion: string;
  boot?: BootNotificationRequestData;
  bootReceivedAt: string;
  lastSeenAt: string;
  transactionIds: Record<string, number>;
  bootReason: string;
  sessions: Record<string, Session_ConsumerSession>;
  remoteStartCounter: number;
  localListDirty: boolean;
}

export interface ConnectorInfo {
  id: number;
  status: string;
  currentTransaction: number;
  evseId: number;
  connectorStatuses: Record<string, string>;
  errorCode: string;
  statusTimestamp: string;
  statusReceivedAt: string;
}

export interface TransactionInfo {
  id: number;
  idTag: string;
  connectorId: number;
  startTime: string;
  endTime: string;
  startMeter: number;
  endMeter: number;
  progress?: EVChargingStatusData;
  ocppTransactionId: string;
  evseId: number;
  startReceivedAt: string;
  endReceivedAt: string;
  stopReason: string;
  lastSeqNo: number;
  remoteStartId: number;
  offline: boolean;
  lastMeter: number;
  lastMeterTime: string;
  idTagStatus: string;
  idTokenType: string;
  orphan: boolean;
}

export interface ConsumerAuthData {
  publicKey: string;
  transactionId: number;
  authData?: LocalAuthorizationData;
}

export interface LocalAuthorizationData {
  idTag: string;
  idTagInfo?: IdTagInfo;
}

export interface IdTagInfo {
  expiryDate: string;
  parentIdTag: string;
  status: string;
}

export interface Session_ConsumerSession {
  id: string;
  station: string;
  connectorId: number;
  consumerPublicKey: string;
  consumerKeyHex: string;
  idTag: string;
  state: string;
  remoteStartId: number;
  transactionId: number;
  ocppTransactionId: string;
  createdAt: string;
  updatedAt: string;
  reason: string;
  expiresAt: string;
  stoppedBy: string;
  receipt?: Session_Receipt;
}

export interface Session_Receipt {
  sessionId: string;
  station: string;
  connectorId: number;
  consumerPublicKey: string;
  transaction?: TransactionInfo;
  energyWh: number;
  durationS: number;
  tariff?: Session_Tariff;
  energyAmount: string;
  timeAmount: string;
  sessionFee: string;
  totalAmount: string;
  signedMeterValues: string[];
  issuedAt: string;
}

export interface Session_Tariff {
  pricePerKwh: string;
  pricePerMinute: string;
  sessionFee: string;
  currency: string;
  decimals: number;
}

export interface Store_MeterSample {
  stationTime: string;
  receivedAt: string;
  connectorId: number;
  transactionId: number;
  sampledValuesJson: string;
  source: string;
}

export interface Store_StationReport {
  action: string;
  receivedAt: string;
  payloadJson: string;
}

/** Every message type by its full protobuf name. */
export interface ProtoTypes {
  "gateway.Response": Response;
  "gateway.BootNotificationRequestData": BootNotificationRequestData;
  "gateway.LogData": LogData;
  "gateway.AuthorizeRequestData": AuthorizeRequestData;
  "gateway.AuthorizeResponseData": AuthorizeResponseData;
  "gateway.CheckAvailabilityRequestData": CheckAvailabilityRequestData;
  "gateway.CheckAvailabilityResponseData": CheckAvailabilityResponseData;
  "gateway.StartTransactionRequestData": StartTransactionRequestData;
  "gateway.StartTransactionResponseData": StartTransactionResponseData;
  "gateway.StopTransactionRequestData": StopTransactionRequestData;
  "gateway.StopTransactionResponseData": StopTransactionResponseData;
  "gateway.NotifyChargePointStateChangeData": NotifyChargePointStateChangeData;
  "gateway.EVChargingStatusData": EVChargingStatusData;
  "gateway.ChargePointState": ChargePointState;
  "gateway.ConnectorInfo": ConnectorInfo;
  "gateway.TransactionInfo": TransactionInfo;
  "gateway.ConsumerAuthData": ConsumerAuthData;
  "gateway.LocalAuthorizationData": LocalAuthorizationData;
  "gateway.IdTagInfo": IdTagInfo;
  "session.ConsumerSession": Session_ConsumerSession;
  "session.Receipt": Session_Receipt;
  "session.Tariff": Session_Tariff;
  "store.MeterSample": Store_MeterSample;
  "store.StationReport": Store_StationReport;
}
