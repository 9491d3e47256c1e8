// Certificates as the charge point rules speak of them: OCPP's hash data (an RFC 6960 CertID
// in hex), the records kept per station, and the words of Plug & Charge; parsing X.509 is
// src/pnc's business.

export type HashAlgorithm = 'SHA256' | 'SHA384' | 'SHA512';
export const HASH_ALGORITHMS: readonly HashAlgorithm[] = ['SHA256', 'SHA384', 'SHA512'];

/** OCPP's CertificateHashDataType: the RFC 6960 CertID of a certificate, in hex. */
export interface CertificateHashData {
  hashAlgorithm: HashAlgorithm;
  issuerNameHash: string;
  issuerKeyHash: string;
  serialNumber: string;
}

/** A serial number's bytes as OCPP hex: lower case, no leading zeroes ("0" for zero). */
export function serialHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex').replace(/^0+/, '') || '0';
}

export function sameHashData(a: CertificateHashData, b: CertificateHashData): boolean {
  return a.hashAlgorithm === b.hashAlgorithm
    && a.issuerNameHash.toLowerCase() === b.issuerNameHash.toLowerCase()
    && a.issuerKeyHash.toLowerCase() === b.issuerKeyHash.toLowerCase()
    && a.serialNumber.toLowerCase().replace(/^0+/, '') === b.serialNumber.toLowerCase().replace(/^0+/, '');
}

/** A short, stable name for a certificate (admin paths, log lines): its serial and issuer key hash. */
export function hashDataId(h: Pick<CertificateHashData, 'issuerKeyHash' | 'serialNumber'>): string {
  return `${h.serialNumber.toLowerCase().replace(/^0+/, '') || '0'}-${h.issuerKeyHash.toLowerCase().slice(0, 16)}`;
}

/** An ISO 15118 certificate request's hash data, with the OCSP responder to ask. */
export interface OcspRequestData extends CertificateHashData {
  responderURL: string;
}

/** The station asking, as the handshake established it. */
export interface StationInfo {
  identity: string;
  securityProfile: number;
}

/** OCPP 2.0.1 StatusInfoType: why, in a code and words. */
export interface StatusInfo {
  reasonCode: string;
  additionalInfo?: string;
}

/** The certificates the CSMS signs for a station (2.0.1 CertificateSigningUseEnumType). */
export type SignedCertificateType = 'ChargingStationCertificate' | 'V2GCertificate';

export type AuthorizeCertificateStatus = 'Accepted' | 'SignatureError' | 'CertificateExpired' | 'CertificateRevoked' | 'NoCertificateAvailable' | 'CertChainError' | 'ContractCancelled';

/** Roots a CSMS installs on a station (2.0.1 InstallCertificateUseEnumType). */
export type InstallCertificateUse = 'V2GRootCertificate' | 'MORootCertificate' | 'CSMSRootCertificate' | 'ManufacturerRootCertificate';
export const INSTALL_CERTIFICATE_USES: readonly InstallCertificateUse[] = ['V2GRootCertificate', 'MORootCertificate', 'CSMSRootCertificate', 'ManufacturerRootCertificate'];

/** What GetInstalledCertificateIds may ask for (2.0.1 GetCertificateIdUseEnumType). */
export type CertificateIdUse = InstallCertificateUse | 'V2GCertificateChain';
