import { createHash } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import type { X509Certificate } from './x509.ts';

export type HashAlgorithm = 'SHA256' | 'SHA384' | 'SHA512';
export const HASH_ALGORITHMS: readonly HashAlgorithm[] = ['SHA256', 'SHA384', 'SHA512'];

/** OCPP's CertificateHashDataType: the RFC 6960 CertID of a certificate, in hex. */
export interface CertificateHashData {
  hashAlgorithm: HashAlgorithm;
  issuerNameHash: string;
  issuerKeyHash: string;
  serialNumber: string;
}

const NODE_HASH: Record<HashAlgorithm, string> = { SHA256: 'sha256', SHA384: 'sha384', SHA512: 'sha512' };

function digest(alg: HashAlgorithm, data: ArrayBuffer | Uint8Array): string {
  return createHash(NODE_HASH[alg]).update(new Uint8Array(data)).digest('hex');
}

/**
 * The CertID of `cert` (RFC 6960 4.1.1), as `openssl ocsp` computes it: the hash of the
 * issuer's DER-encoded name, the hash of the issuer's public key (the BIT STRING's value,
 * without tag, length and unused-bits byte), and the serial number. OCPP writes the serial
 * as hex without leading zeroes; hex is lower case here and compared case-insensitively.
 */
export function certificateHashData(cert: X509Certificate, issuer: X509Certificate, hashAlgorithm: HashAlgorithm = 'SHA256'): CertificateHashData {
  const tbs = AsnConvert.parse(cert.rawData, Certificate).tbsCertificate;
  const issuerTbs = AsnConvert.parse(issuer.rawData, Certificate).tbsCertificate;
  return {
    hashAlgorithm,
    issuerNameHash: digest(hashAlgorithm, AsnConvert.serialize(tbs.issuer)),
    issuerKeyHash: digest(hashAlgorithm, issuerTbs.subjectPublicKeyInfo.subjectPublicKey),
    serialNumber: serialHex(new Uint8Array(tbs.serialNumber)),
  };
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
