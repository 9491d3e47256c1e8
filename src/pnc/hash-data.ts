import { createHash } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { serialHex, type CertificateHashData, type HashAlgorithm } from '../domain/certificates.ts';
import type { X509Certificate } from './x509.ts';

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
