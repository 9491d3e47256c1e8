import type { CallOptions, OcppConnection } from './connection.ts';
import type { CertificateHashData, SignedCertificateType } from '../domain/certificates.ts';
import { ConnectionClosedError } from './errors.ts';
import type { CertificateIdUse, InstallCertificateUse } from './pnc-messages.ts';
import { commands16 } from './v16/commands.ts';
import { commands201 } from './v201/commands.ts';

/** One entry of a local authorization list; no status means "remove" in a Differential update. */
export interface LocalListEntry {
  idTag: string;
  status?: 'Accepted' | 'Blocked' | 'Expired' | 'Invalid';
  expiryDate?: string;
}

/** A certificate a station reports as installed. */
export interface InstalledCertificate {
  certificateType: CertificateIdUse;
  hashData: CertificateHashData;
}

export type ListUpdateStatus = 'Accepted' | 'Failed' | 'VersionMismatch' | 'NotSupported';

/** The central system's commands in the domain's terms; each version's file translates them. */
export interface VersionCommands {
  remoteStart(c: OcppConnection, cmd: { connectorId: number; idTag: string; remoteStartId: number }, o?: CallOptions): Promise<{ accepted: boolean; reason?: string }>;
  remoteStop(c: OcppConnection, tx: { transactionId: number; ocppTransactionId: string }, o?: CallOptions): Promise<{ accepted: boolean; reason?: string }>;
  sendLocalList(c: OcppConnection, update: { version: number; full: boolean; entries: LocalListEntry[] }, o?: CallOptions): Promise<ListUpdateStatus>;
  getLocalListVersion(c: OcppConnection, o?: CallOptions): Promise<number>;
  /** The station's own limit of entries per SendLocalList, if it reports one. */
  localListMaxLength(c: OcppConnection, o?: CallOptions): Promise<number | undefined>;
  trigger(c: OcppConnection, message: string, connectorId?: number, o?: CallOptions): Promise<string>;
  unlock(c: OcppConnection, connectorId: number, o?: CallOptions): Promise<string>;
  changeAvailability(c: OcppConnection, connectorId: number, operative: boolean, o?: CallOptions): Promise<string>;
  installCertificate(c: OcppConnection, type: InstallCertificateUse, pem: string, o?: CallOptions): Promise<string>;
  /** `type` (when known) picks the 1.6 channel: the whitepaper's own message or Plug & Charge DataTransfer. */
  deleteCertificate(c: OcppConnection, hashData: CertificateHashData, type: CertificateIdUse | undefined, o?: CallOptions): Promise<string>;
  installedCertificates(c: OcppConnection, types: readonly CertificateIdUse[], o?: CallOptions): Promise<InstalledCertificate[]>;
  certificateSigned(c: OcppConnection, chainPem: string, type: SignedCertificateType, o?: CallOptions): Promise<{ accepted: boolean; reason?: string }>;
}

/** Reaches a connected station's commands; throws ConnectionClosedError when it is offline. */
export class StationCommands {
  private readonly connectionOf: (identity: string) => OcppConnection | undefined;

  constructor(connectionOf: (identity: string) => OcppConnection | undefined) {
    this.connectionOf = connectionOf;
  }

  isConnected(identity: string): boolean {
    return this.connectionOf(identity)?.isActive ?? false;
  }

  /** The station's connection and the commands of its negotiated version. */
  for(identity: string): { connection: OcppConnection; commands: VersionCommands } {
    const connection = this.connectionOf(identity);
    if (!connection?.isActive) throw new ConnectionClosedError(`station ${identity} is offline`);
    return { connection, commands: connection.version === 'ocpp1.6' ? commands16 : commands201 };
  }
}
