import type { Store_ContractRegistration as ContractRegistration, Store_StationCertificate as StationCertificate } from '../proto/types.ts';

export type { ContractRegistration, StationCertificate };

/** Per-station certificate records (src/store implements it in LevelDB). */
export interface CertificateRecords {
  certificates(identity: string): Promise<StationCertificate[]>;
  /** Writes `put` and removes the records named by `remove` (ids from certificateId) in one batch. */
  updateCertificates(identity: string, put: StationCertificate[], remove: string[]): Promise<void>;
}

/** eMAID → consumer registrations (src/store implements it in LevelDB). */
export interface ContractRecords {
  contract(emaid: string): Promise<ContractRegistration | undefined>;
  contractsOf(consumerKeyHex: string): Promise<ContractRegistration[]>;
  putContract(registration: ContractRegistration): Promise<void>;
  deleteContract(registration: ContractRegistration): Promise<void>;
}
