import { CodedError } from '../coded-error.ts';
import type { CertificateHashData, CertificateIdUse, InstallCertificateUse, SignedCertificateType } from '../domain/certificates.ts';
import type { ConfigurationVariable, VariableRef } from '../domain/configuration.ts';

/** One entry of a local authorization list; no status means "remove" in a Differential update. */
export interface LocalListEntry {
  idTag: string;
  status?: 'Accepted' | 'Blocked' | 'Expired' | 'Invalid';
  expiryDate?: string;
  /** An operator's RFID card (2.0.1 idToken type ISO14443), not a consumer's tag (type Central). */
  card?: boolean;
}

export interface FirmwareRequest {
  requestId: number;
  location: string;
  retrieveAt: string;
  installAt?: string;
  /** The vendor's signature (base64) and signing certificate (PEM) of a signed image. */
  signature?: string;
  signingCertificate?: string;
}

export interface LogRequest {
  requestId: number;
  logType: 'Diagnostics' | 'DiagnosticsLog' | 'SecurityLog';
  location: string;
  from?: string;
  to?: string;
}

/** A certificate a station reports as installed. */
export interface InstalledCertificate {
  certificateType: CertificateIdUse;
  hashData: CertificateHashData;
}

/**
 * What reading a station's configuration gave: 1.6 answers with every key at once; 2.0.1
 * accepts (or not) to send its device model in NotifyReport messages carrying the request id.
 */
export type ConfigurationRead =
  | { kind: 'variables'; variables: ConfigurationVariable[]; unknownKeys: string[] }
  | { kind: 'report'; accepted: boolean; status: string };

export type ListUpdateStatus = 'Accepted' | 'Failed' | 'VersionMismatch' | 'NotSupported';

/**
 * What the use cases ask of one connected station, in the domain's terms. The OCPP adapters
 * implement it for each version; a failure is a StationCallError.
 */
export interface StationLink {
  remoteStart(cmd: { connectorId: number; idTag: string; remoteStartId: number }): Promise<{ accepted: boolean; reason?: string }>;
  remoteStop(tx: { transactionId: number; ocppTransactionId: string }): Promise<{ accepted: boolean; reason?: string }>;
  sendLocalList(update: { version: number; full: boolean; entries: LocalListEntry[] }): Promise<ListUpdateStatus>;
  getLocalListVersion(): Promise<number>;
  /** The station's own limit of entries per SendLocalList, if it reports one. */
  localListMaxLength(): Promise<number | undefined>;
  trigger(message: string, connectorId?: number): Promise<string>;
  /** Reads the whole configuration (1.6 GetConfiguration) or asks for it (2.0.1 GetBaseReport FullInventory). */
  readConfiguration(requestId: number): Promise<ConfigurationRead>;
  /** Sets one variable (1.6 ChangeConfiguration, 2.0.1 SetVariables): the station's status for it. */
  changeConfiguration(ref: VariableRef, value: string): Promise<string>;
  /** Reserves a connector (1.6 connectorId; 2.0.1 evseId) for an idTag until `expiryDate`: the station's status. */
  reserveNow(r: { reservationId: number; connectorId: number; idTag: string; expiryDate: string; consumer?: boolean }): Promise<string>;
  cancelReservation(reservationId: number): Promise<string>;
  /** Restarts the station: hard at once (2.0.1 Immediate), soft once idle (2.0.1 OnIdle). */
  reset(hard: boolean): Promise<string>;
  clearCache(): Promise<string>;
  dataTransfer(req: { vendorId: string; messageId?: string; data?: string }): Promise<{ status: string; data?: unknown }>;
  /**
   * Any action the central system sends in the station's version, with that version's payload:
   * an InvalidRequest StationCallError, before anything is sent, when the action is not one of
   * them or the payload does not match its official schema.
   */
  call(action: string, payload: Record<string, unknown>): Promise<Record<string, unknown>>;
  unlock(connectorId: number): Promise<string>;
  changeAvailability(connectorId: number, operative: boolean): Promise<string>;
  /**
   * Asks the station to download and install firmware from `location`: 1.6 UpdateFirmware (no
   * answer status: Accepted) or, for a signed image, SignedUpdateFirmware; 2.0.1 UpdateFirmware.
   */
  updateFirmware(u: FirmwareRequest): Promise<string>;
  /** Asks the station to upload a log to `location`: 1.6 GetDiagnostics or GetLog (security), 2.0.1 GetLog. */
  requestLog(r: LogRequest): Promise<{ status: string; fileName?: string }>;
  installCertificate(type: InstallCertificateUse, pem: string): Promise<string>;
  /** `type` (when known) picks the 1.6 channel: the whitepaper's own message or Plug & Charge DataTransfer. */
  deleteCertificate(hashData: CertificateHashData, type: CertificateIdUse | undefined): Promise<string>;
  installedCertificates(types: readonly CertificateIdUse[]): Promise<InstalledCertificate[]>;
  certificateSigned(chainPem: string, type: SignedCertificateType): Promise<{ accepted: boolean; reason?: string }>;
}

/** The stations connected now. */
export interface StationLinks {
  isConnected(identity: string): boolean;
  /** The station's link (the same object for as long as one connection lasts); a StationCallError 'StationOffline' when it is not connected. */
  for(identity: string): StationLink;
}

export type StationCallFailure = 'StationOffline' | 'Timeout' | 'InvalidRequest' | 'Refused';

/**
 * A command that got no answer to act on: the station is offline or went away, did not answer
 * in time, answered with an error (Refused), or the command was invalid before it went out.
 * Each code is a registered refusal (src/domain/refusals.ts).
 */
export class StationCallError extends CodedError<StationCallFailure> {}
