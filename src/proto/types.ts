// Generated from proto/ by `npm run gen:proto`. Do not edit: change the .proto files.

export type Document_Status = "AVAILABLE" | "UNAVAILABLE";

export type Events_EventType = "CHARGING_STATUS" | "SERVICE_REQUEST_ACK" | "SERVICE_DELIVERY_ACK" | "SERVICE_REQUESTED" | "SERVICE_DELIVERED" | "STOP_CHARGE_REQUEST" | "STOP_CHARGE_RESPONSE" | "IDENTITY_CHALLENGE" | "IDENTITY_RESPONSE" | "RECEIVE_CHAIN_EVENT" | "EMIT_SHOW_INFO" | "GET_BALANCE" | "GET_BALANCE_ACK" | "GET_PK" | "GET_PK_ACK" | "REPUBLISH_DID" | "REPUBLISH_DID_ACK" | "RECONNECT" | "RECONNECT_ACK" | "PEER_CONNECTED" | "PEER_SUBSCRIBED" | "PEER_CONNECTION_FAILED" | "PEER_SUBSCRIPTION_FAILED" | "BOOT_NOTIFICATION_REQUEST" | "LOG" | "AUTHORIZE_REQUEST" | "AUTHORIZE_RESPONSE" | "CHECK_AVAILABILITY_REQUEST" | "CHECK_AVAILABILITY_RESPONSE" | "START_TRANSACTION_REQUEST" | "START_TRANSACTION_RESPONSE" | "EV_CHARGE_STATUS" | "NOTIFY_CHARGE_POINT_STATE_CHANGE" | "STOP_TRANSACTION_REQUEST" | "STOP_TRANSACTION_RESPONSE";

export type P2p_EmitShowInfoData_InfoType = "LOG_INFO" | "EVENT_INFO";

export type Cgw_SignatureScheme = "ED25519" | "SR25519";

export interface Document_VerificationMethod {
  id: string;
  type: string;
  controller: string;
  publicKeyMultibase: string;
}

export interface Document_Signature {
  type: string;
  issuer: string;
  hash: string;
}

export interface Document_Metadata {
  name: string;
  power: string;
  status: Document_Status;
  chargePointClientId: string;
  connectorsCount: number;
  plugType: string;
  pricePerKWHR: number;
}

export interface Document_Service {
  id: string;
  type: string;
  serviceEndpoint: string;
  data: string;
}

export interface Document_Document {
  id: string;
  controller: string;
  verificationMethods: Document_VerificationMethod[];
  signature?: Document_Signature;
  services: Document_Service[];
  authentications: string[];
}

export interface Events_Event {
  eventId: Events_EventType;
  chargingStatusData?: P2p_ChargingStatusData;
  serviceAckData?: P2p_ServiceAckData;
  serviceRequestedData?: P2p_ServiceRequestedData;
  serviceDeliveredData?: P2p_ServiceDeliveredData;
  stopChargeData?: P2p_StopChargeData;
  stopChargeRespData?: P2p_StopChargeResponseData;
  identityChallengeData?: P2p_IdentityChallengeData;
  identityResponseData?: P2p_IdentityResponseData;
  chainEventData?: P2p_ChainEventData;
  emitShowInfoData?: P2p_EmitShowInfoData;
  getBalanceAckData?: P2p_GetBalanceAckData;
  getPkAckData?: P2p_GetPKAckData;
  republishAckData?: P2p_RePublishDIDAckData;
  reconnectAckData?: P2p_ReconnectAckData;
  serviceRequestedAckData?: P2p_ServiceRequestedAckData;
  bootNotificationRequestData?: BootNotificationRequestData;
  logData?: LogData;
  authorizeRequestData?: AuthorizeRequestData;
  authorizeResponseData?: AuthorizeResponseData;
  checkAvailabilityRequestData?: CheckAvailabilityRequestData;
  checkAvailabilityResponseData?: CheckAvailabilityResponseData;
  startTransactionRequestData?: StartTransactionRequestData;
  startTransactionResponseData?: StartTransactionResponseData;
  evChargeStatusData?: EVChargingStatusData;
  stopTransactionRequestData?: StopTransactionRequestData;
  stopTransactionResponseData?: StopTransactionResponseData;
  notifyChargePointStateChangeData?: NotifyChargePointStateChangeData;
}

export interface P2p_Response {
  error: boolean;
  message: string;
}

export interface P2p_ChargingStatusData {
  progress: number;
  chargingPeriod: string;
  energyConsumption: string;
  tokenSpent: string;
}

export interface P2p_ServiceAckData {
  resp?: P2p_Response;
}

export interface P2p_ServiceRequestedAckData {
  resp?: P2p_Response;
}

export interface P2p_ServiceRequestedData {
  consumer: string;
  provider: string;
  tokenDeposited: string;
  connectorId: number;
}

export interface P2p_TimePoint {
  height: number;
  index: number;
}

export interface P2p_TransactionValue {
  tokenNum: string;
  txHash: string;
  timePoint?: P2p_TimePoint;
  callHash: string;
  sessionId: string;
  kind: string;
  seq: number;
}

export interface P2p_ServiceDeliveredData {
  consumer: string;
  provider: string;
  refundInfo?: P2p_TransactionValue;
  spentInfo?: P2p_TransactionValue;
}

export interface P2p_StopChargeData {
  success: boolean;
}

export interface P2p_StopChargeResponseData {
  resp?: P2p_Response;
}

export interface P2p_IdentityChallengeData {
  plainData: string;
}

export interface P2p_IdentityResponseData {
  resp?: P2p_Response;
  signature: string;
}

export interface P2p_ChainEventData {
  eventId: string;
  attributes: string;
}

export interface P2p_EmitShowInfoData {
  type: P2p_EmitShowInfoData_InfoType;
  data: string;
}

export interface P2p_GetBalanceAckData {
  resp?: P2p_Response;
  balance: string;
}

export interface P2p_GetPKAckData {
  resp?: P2p_Response;
  pk: string;
}

export interface P2p_RePublishDIDAckData {
  resp?: P2p_Response;
  pk: string;
}

export interface P2p_ReconnectAckData {
  resp?: P2p_Response;
  message: string;
}

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
  budget: string;
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
  receipt?: Session_Receipt;
}

export interface NotifyChargePointStateChangeData {
  chargePointClientId: string;
}

export interface EVChargingStatusData {
  currentOffered: number;
  currentUnit: string;
  voltageOffered: number;
  voltageUnit: string;
  energyWh?: number;
  station?: string;
  connectorId?: number;
  sessionId?: string;
  meterTime?: string;
}

export interface ChargePointState {
  id: string;
  status: ("Accepted" | "Pending" | "Rejected" | "");
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
  reportsBytes: number;
  localListPending: number;
  remoteStartGrants: Record<string, string>;
  reservations: Record<string, Reservation>;
  firmware?: FirmwareUpdate;
  reservationsToCancel: number[];
  eventSeq: number;
}

export interface FirmwareUpdate {
  requestId: number;
  imageId: string;
  imageName: string;
  requestedAt: string;
  status: string;
  statusAt: string;
  history: FirmwareStatusChange[];
  rolloutId: string;
  ended: boolean;
}

export interface FirmwareStatusChange {
  status: string;
  at: string;
}

export interface Reservation {
  id: number;
  connectorId: number;
  idTag: string;
  expiryDate: string;
  createdAt: string;
  sessionId: string;
}

export interface ConnectorInfo {
  id: number;
  status: ("Available" | "Preparing" | "Charging" | "SuspendedEV" | "SuspendedEVSE" | "Finishing" | "Reserved" | "Unavailable" | "Faulted" | "Occupied" | "");
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
  seqNoRun: boolean;
  seqNoRunFirst: number;
  seqNoRunLast: number;
  seqNoOutliers: boolean;
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
  state: ("authorized" | "starting" | "charging" | "stopping" | "stopped" | "settled" | "paid" | "failed");
  remoteStartId: number;
  transactionId: number;
  ocppTransactionId: string;
  createdAt: string;
  updatedAt: string;
  reason: string;
  expiresAt: string;
  stoppedBy: ("consumer" | "gateway" | "station" | "");
  receipt?: Session_Receipt;
  settlement?: Session_Settlement;
  contract: string;
  budget: string;
  stopReason: string;
  reservationId: number;
}

export interface Session_Settlement {
  multisig: string;
  spentInfo?: P2p_TransactionValue;
  refundInfo?: P2p_TransactionValue;
  approvalTxHash: string;
  record: string;
  settledAt: string;
  provider: string;
  unpaid: string;
  paidAt: string;
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
  stopReason: string;
  budget: string;
  spentAmount: string;
  refundAmount: string;
  unpaidAmount: string;
}

export interface Session_Tariff {
  pricePerKwh: string;
  pricePerMinute: string;
  sessionFee: string;
  currency: string;
  decimals: number;
}

export interface Cgw_SignedEnvelope {
  payload: Uint8Array;
  signer: Uint8Array;
  scheme: Cgw_SignatureScheme;
  signature: Uint8Array;
  timestampMs: number;
  nonce: Uint8Array;
  domain: string;
  topic: string;
  seq: number;
  inReplyTo: Uint8Array;
  batchPath: Uint8Array[];
  batchIndex: number;
  batchSize: number;
}

export interface Cgw_BatchRoot {
  domain: string;
  signer: Uint8Array;
  scheme: Cgw_SignatureScheme;
  root: Uint8Array;
  size: number;
}

export interface Cgw_SigningInput {
  domain: string;
  signer: Uint8Array;
  scheme: Cgw_SignatureScheme;
  timestampMs: number;
  nonce: Uint8Array;
  topic: string;
  seq: number;
  inReplyTo: Uint8Array;
  payload: Uint8Array;
}

export interface Cgw_SessionStatusRequest {
  chargePointClientId: string;
  consumerPublicKey: string;
}

export interface Cgw_CancelRequest {
  chargePointClientId: string;
  consumerPublicKey: string;
}

export interface Cgw_CancelResponse {
  resp?: Response;
  session?: Session_ConsumerSession;
}

export interface Cgw_SessionStatusResponse {
  resp?: Response;
  session?: Session_ConsumerSession;
  transaction?: TransactionInfo;
}

export interface Cgw_EventsRequest {
  topic: string;
  afterSeq: number;
  limit: number;
}

export interface Cgw_EventsResponse {
  envelopes: Uint8Array[];
  more: boolean;
}

export interface Cgw_EventBundle {
  envelopes: Uint8Array[];
}

export interface Cgw_ContractRequest {
  consumerPublicKey: string;
  emaid: string;
  remove: boolean;
}

export interface Cgw_ContractResponse {
  resp?: Response;
  emaid: string;
  registeredAt: string;
  contracts: string[];
}

export interface Cgw_ReserveRequest {
  chargePointClientId: string;
  consumerPublicKey: string;
  connectorId: number;
  minutes: number;
  budget: string;
}

export interface Cgw_ReserveResponse {
  resp?: Response;
  session?: Session_ConsumerSession;
}

export interface Cgw_Request {
  event?: Events_Event;
  sessionStatus?: Cgw_SessionStatusRequest;
  events?: Cgw_EventsRequest;
  contract?: Cgw_ContractRequest;
  cancel?: Cgw_CancelRequest;
  reserve?: Cgw_ReserveRequest;
}

export interface Cgw_ErrorResponse {
  code: string;
  message: string;
}

export interface Cgw_Response {
  event?: Events_Event;
  sessionStatus?: Cgw_SessionStatusResponse;
  events?: Cgw_EventsResponse;
  error?: Cgw_ErrorResponse;
  contract?: Cgw_ContractResponse;
  cancel?: Cgw_CancelResponse;
  reserve?: Cgw_ReserveResponse;
}

export interface Store_MeterSample {
  stationTime: string;
  receivedAt: string;
  connectorId: number;
  transactionId: number;
  sampledValuesJson: string;
  source: string;
  claimedTransactionId: number;
}

export interface Store_StationReport {
  action: string;
  receivedAt: string;
  payloadJson: string;
}

export interface Store_OutboxEntry {
  topic: string;
  seq: number;
  envelope: Uint8Array;
}

export interface Store_SettlementJob {
  sessionId: string;
  station: string;
  spent: string;
  createdAt: string;
  attempts: number;
  lastError: string;
  budget: string;
  consumerKeyHex: string;
}

export interface Store_Payout {
  sessionId: string;
  station: string;
  consumerKeyHex: string;
  kind: ("spent" | "refund" | "debt");
  seq: number;
  amount: string;
  to: string;
  multisig: string;
  call: string;
  callHash: string;
  state: ("open" | "executed" | "failed");
  timePoint?: P2p_TimePoint;
  approvalTxHash: string;
  executedBlock: number;
  executedBy: string;
  createdAt: string;
  failure: string;
}

export interface Store_Debt {
  sessionId: string;
  station: string;
  consumerKeyHex: string;
  amount: string;
  createdAt: string;
  payouts: number;
}

export interface Store_StationCertificate {
  certificateType: string;
  hashAlgorithm: string;
  issuerNameHash: string;
  issuerKeyHash: string;
  serialNumber: string;
  pem: string;
  subject: string;
  notAfter: string;
  recordedAt: string;
  source: string;
}

export interface Store_ContractRegistration {
  emaid: string;
  consumerPublicKey: string;
  consumerKeyHex: string;
  registeredAt: string;
}

export interface Store_ConfigurationSnapshot {
  takenAt: string;
  source: ("GetConfiguration" | "GetBaseReport" | "Change");
  variables: Store_ConfigurationVariable[];
  unknownKeys: string[];
}

export interface Store_ConfigurationVariable {
  component: string;
  componentInstance: string;
  evseId: number;
  connectorId: number;
  variable: string;
  variableInstance: string;
  attributes: Store_ConfigurationAttribute[];
  characteristicsJson: string;
  rebootRequired: boolean;
}

export interface Store_ConfigurationAttribute {
  type: ("Actual" | "Target" | "MinSet" | "MaxSet");
  value: string;
  mutability: ("ReadOnly" | "WriteOnly" | "ReadWrite" | "");
  persistent: boolean;
  constant: boolean;
}

export interface Store_OperatorTag {
  idTag: string;
  status: ("Accepted" | "Blocked" | "Expired" | "Invalid");
  expiryDate: string;
  parentIdTag: string;
  note: string;
  updatedAt: string;
}

export interface Store_AuditEntry {
  at: string;
  who: string;
  role: ("operator" | "read-only");
  method: string;
  path: string;
  status: number;
}

export interface Store_FirmwareImage {
  id: string;
  name: string;
  size: number;
  uploadedAt: string;
  signature: string;
  signingCertificate: string;
  note: string;
}

export interface Store_FirmwareRollout {
  id: string;
  imageId: string;
  maxParallel: number;
  createdAt: string;
  state: ("running" | "finished" | "cancelled");
  stations: Store_RolloutStation[];
  endedAt: string;
}

export interface Store_RolloutStation {
  identity: string;
  state: ("waiting" | "updating" | "installed" | "failed" | "cancelled");
  startedAt: string;
  endedAt: string;
  reason: string;
}

export interface Store_LogUpload {
  identity: string;
  requestId: number;
  logType: ("DiagnosticsLog" | "SecurityLog" | "Diagnostics");
  tokenHash: string;
  requestedAt: string;
  expiresAt: string;
  status: string;
  statusAt: string;
  fileName: string;
  size: number;
  sha256: string;
  receivedAt: string;
}

/** Every message type by its full protobuf name. */
export interface ProtoTypes {
  "document.VerificationMethod": Document_VerificationMethod;
  "document.Signature": Document_Signature;
  "document.Metadata": Document_Metadata;
  "document.Service": Document_Service;
  "document.Document": Document_Document;
  "events.Event": Events_Event;
  "p2p.Response": P2p_Response;
  "p2p.ChargingStatusData": P2p_ChargingStatusData;
  "p2p.ServiceAckData": P2p_ServiceAckData;
  "p2p.ServiceRequestedAckData": P2p_ServiceRequestedAckData;
  "p2p.ServiceRequestedData": P2p_ServiceRequestedData;
  "p2p.TimePoint": P2p_TimePoint;
  "p2p.TransactionValue": P2p_TransactionValue;
  "p2p.ServiceDeliveredData": P2p_ServiceDeliveredData;
  "p2p.StopChargeData": P2p_StopChargeData;
  "p2p.StopChargeResponseData": P2p_StopChargeResponseData;
  "p2p.IdentityChallengeData": P2p_IdentityChallengeData;
  "p2p.IdentityResponseData": P2p_IdentityResponseData;
  "p2p.ChainEventData": P2p_ChainEventData;
  "p2p.EmitShowInfoData": P2p_EmitShowInfoData;
  "p2p.GetBalanceAckData": P2p_GetBalanceAckData;
  "p2p.GetPKAckData": P2p_GetPKAckData;
  "p2p.RePublishDIDAckData": P2p_RePublishDIDAckData;
  "p2p.ReconnectAckData": P2p_ReconnectAckData;
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
  "gateway.FirmwareUpdate": FirmwareUpdate;
  "gateway.FirmwareStatusChange": FirmwareStatusChange;
  "gateway.Reservation": Reservation;
  "gateway.ConnectorInfo": ConnectorInfo;
  "gateway.TransactionInfo": TransactionInfo;
  "gateway.ConsumerAuthData": ConsumerAuthData;
  "gateway.LocalAuthorizationData": LocalAuthorizationData;
  "gateway.IdTagInfo": IdTagInfo;
  "session.ConsumerSession": Session_ConsumerSession;
  "session.Settlement": Session_Settlement;
  "session.Receipt": Session_Receipt;
  "session.Tariff": Session_Tariff;
  "cgw.SignedEnvelope": Cgw_SignedEnvelope;
  "cgw.BatchRoot": Cgw_BatchRoot;
  "cgw.SigningInput": Cgw_SigningInput;
  "cgw.SessionStatusRequest": Cgw_SessionStatusRequest;
  "cgw.CancelRequest": Cgw_CancelRequest;
  "cgw.CancelResponse": Cgw_CancelResponse;
  "cgw.SessionStatusResponse": Cgw_SessionStatusResponse;
  "cgw.EventsRequest": Cgw_EventsRequest;
  "cgw.EventsResponse": Cgw_EventsResponse;
  "cgw.EventBundle": Cgw_EventBundle;
  "cgw.ContractRequest": Cgw_ContractRequest;
  "cgw.ContractResponse": Cgw_ContractResponse;
  "cgw.ReserveRequest": Cgw_ReserveRequest;
  "cgw.ReserveResponse": Cgw_ReserveResponse;
  "cgw.Request": Cgw_Request;
  "cgw.ErrorResponse": Cgw_ErrorResponse;
  "cgw.Response": Cgw_Response;
  "store.MeterSample": Store_MeterSample;
  "store.StationReport": Store_StationReport;
  "store.OutboxEntry": Store_OutboxEntry;
  "store.SettlementJob": Store_SettlementJob;
  "store.Payout": Store_Payout;
  "store.Debt": Store_Debt;
  "store.StationCertificate": Store_StationCertificate;
  "store.ContractRegistration": Store_ContractRegistration;
  "store.ConfigurationSnapshot": Store_ConfigurationSnapshot;
  "store.ConfigurationVariable": Store_ConfigurationVariable;
  "store.ConfigurationAttribute": Store_ConfigurationAttribute;
  "store.OperatorTag": Store_OperatorTag;
  "store.AuditEntry": Store_AuditEntry;
  "store.FirmwareImage": Store_FirmwareImage;
  "store.FirmwareRollout": Store_FirmwareRollout;
  "store.RolloutStation": Store_RolloutStation;
  "store.LogUpload": Store_LogUpload;
}
