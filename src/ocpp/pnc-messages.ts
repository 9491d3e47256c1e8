// The ISO 15118 Plug & Charge messages in their 2.0.1 shape. 1.6 stations carry the same
// payloads inside DataTransfer (vendorId org.openchargealliance.iso15118pnc), so both
// versions share these types; the OCA 2.0.1 schemas validate them either way.
import type { OcppConnection } from './core/connection.ts';
import type { CertificateHashData, CertificateIdUse } from '../domain/certificates.ts';
import type { Actions201, CertificateHashDataChainType } from './v201/schema-types.ts';

export const PNC_VENDOR_ID = 'org.openchargealliance.iso15118pnc';

export type CertificateHashDataChain = CertificateHashDataChainType;

/** Station → CSMS. */
export type PncStationMessages = Pick<Actions201, 'Get15118EVCertificate' | 'GetCertificateStatus' | 'SignCertificate' | 'Authorize'>;

/** CSMS → station. */
export type PncCsmsMessages = Pick<Actions201, 'InstallCertificate' | 'DeleteCertificate' | 'GetInstalledCertificateIds' | 'CertificateSigned' | 'TriggerMessage'>;

/** The Plug & Charge handlers both versions share, by 2.0.1 action. */
export type PncStationHandlers = {
  [A in keyof PncStationMessages]: (payload: PncStationMessages[A]['req'], connection: OcppConnection) => Promise<PncStationMessages[A]['conf']>;
};

/** Every certificate of GetInstalledCertificateIds chains, each with its chain's type. */
export function flattenHashDataChains(chains: readonly CertificateHashDataChain[] | undefined): { certificateType: CertificateIdUse; hashData: CertificateHashData }[] {
  return (chains ?? []).flatMap((chain) => [chain.certificateHashData, ...(chain.childCertificateHashData ?? [])]
    .map((hashData) => ({ certificateType: chain.certificateType, hashData })));
}
