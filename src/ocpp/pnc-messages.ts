// The ISO 15118 Plug & Charge messages in their 2.0.1 shape. 1.6 stations carry the same
// payloads inside DataTransfer (vendorId org.openchargealliance.iso15118pnc), so both
// versions share these types; the OCA 2.0.1 schemas validate them either way.
import type { OcppConnection } from './connection.ts';
import type { CertificateHashData, CertificateIdUse, InstallCertificateUse, OcspRequestData, SignedCertificateType, StatusInfo } from '../domain/certificates.ts';

export const PNC_VENDOR_ID = 'org.openchargealliance.iso15118pnc';

export interface CertificateHashDataChain {
  certificateType: CertificateIdUse;
  certificateHashData: CertificateHashData;
  childCertificateHashData?: CertificateHashData[];
}

/** Station → CSMS. */
export interface PncStationMessages {
  Get15118EVCertificate: {
    req: { iso15118SchemaVersion: string; action: 'Install' | 'Update'; exiRequest: string };
    conf: { status: 'Accepted' | 'Failed'; exiResponse: string; statusInfo?: StatusInfo };
  };
  GetCertificateStatus: { req: { ocspRequestData: OcspRequestData }; conf: { status: 'Accepted' | 'Failed'; ocspResult?: string; statusInfo?: StatusInfo } };
  SignCertificate: { req: { csr: string; certificateType?: SignedCertificateType }; conf: { status: 'Accepted' | 'Rejected'; statusInfo?: StatusInfo } };
  Authorize: {
    req: { idToken: { idToken: string; type: string }; certificate?: string; iso15118CertificateHashData?: OcspRequestData[] };
    conf: { idTokenInfo: { status: string; cacheExpiryDateTime?: string }; certificateStatus?: string };
  };
}

/** CSMS → station. */
export interface PncCsmsMessages {
  InstallCertificate: { req: { certificateType: InstallCertificateUse; certificate: string }; conf: { status: 'Accepted' | 'Rejected' | 'Failed'; statusInfo?: StatusInfo } };
  DeleteCertificate: { req: { certificateHashData: CertificateHashData }; conf: { status: 'Accepted' | 'Failed' | 'NotFound'; statusInfo?: StatusInfo } };
  GetInstalledCertificateIds: {
    req: { certificateType?: CertificateIdUse[] };
    conf: { status: 'Accepted' | 'NotFound'; certificateHashDataChain?: CertificateHashDataChain[]; statusInfo?: StatusInfo };
  };
  CertificateSigned: { req: { certificateChain: string; certificateType?: SignedCertificateType }; conf: { status: 'Accepted' | 'Rejected'; statusInfo?: StatusInfo } };
  TriggerMessage: { req: { requestedMessage: string }; conf: { status: 'Accepted' | 'Rejected' | 'NotImplemented'; statusInfo?: StatusInfo } };
}

/** The Plug & Charge handlers both versions share, by 2.0.1 action. */
export type PncStationHandlers = {
  [A in keyof PncStationMessages]: (payload: PncStationMessages[A]['req'], connection: OcppConnection) => Promise<PncStationMessages[A]['conf']>;
};

/** Every certificate of GetInstalledCertificateIds chains, each with its chain's type. */
export function flattenHashDataChains(chains: readonly CertificateHashDataChain[] | undefined): { certificateType: CertificateIdUse; hashData: CertificateHashData }[] {
  return (chains ?? []).flatMap((chain) => [chain.certificateHashData, ...(chain.childCertificateHashData ?? [])]
    .map((hashData) => ({ certificateType: chain.certificateType, hashData })));
}
