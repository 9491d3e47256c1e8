import { CodedError } from '../coded-error.ts';
import { x509 } from './x509.ts';
import type { SignedCertificateType } from '../domain/certificates.ts';

export interface SigningRequest {
  /** PEM PKCS#10, already checked by checkCsr. */
  csrPem: string;
  certificateType: SignedCertificateType;
  station: string;
}

/** Signs checked CSRs: the local sub-CAs, or an external CA behind the same interface. */
export interface CertificateAuthority {
  /** The new certificate chain as PEM blocks, leaf first (without the root). */
  sign(request: SigningRequest): Promise<string[]>;
}

/** Why a CSR is refused; the code goes into the station's statusInfo.reasonCode (at most 20 characters). */
export class CsrRefusal extends CodedError<'InvalidCSR' | 'InvalidSignature' | 'SubjectMismatch' | 'KeyType'> {}

export interface CsrPolicy {
  /** The subject's O must be this (the CPO's name), when set. */
  organization?: string;
}

// ISO 15118-2 V2G certificates are ECDSA secp256r1; -20 adds P-521. Station (TLS client)
// certificates may also be RSA of at least 2048 bits.
const EC_CURVES: Record<SignedCertificateType, readonly string[]> = {
  V2GCertificate: ['P-256', 'P-384', 'P-521'],
  ChargingStationCertificate: ['P-256', 'P-384', 'P-521'],
};
const MIN_RSA_BITS = 2048;

/**
 * Checks a station's CSR before anything is signed: PEM PKCS#10, a valid self-signature
 * (proof the station holds the key), subject CN = the station's identity, O = the CPO, and
 * a key type allowed for the certificate's use.
 */
export async function checkCsr(request: SigningRequest, policy: CsrPolicy): Promise<x509.Pkcs10CertificateRequest> {
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(request.csrPem);
  } catch (err) {
    throw new CsrRefusal('InvalidCSR', `the CSR is not a PEM PKCS#10 request: ${(err as Error).message}`);
  }
  let signed = false;
  try {
    signed = await csr.verify();
  } catch {
    signed = false;
  }
  if (!signed) throw new CsrRefusal('InvalidSignature', 'the CSR signature does not verify with its own public key');
  const cn = csr.subjectName.getField('CN');
  if (cn.length !== 1 || cn[0] !== request.station) {
    throw new CsrRefusal('SubjectMismatch', `the CSR subject CN is ${cn.join(',') || 'missing'}, not the station identity ${request.station}`);
  }
  if (policy.organization !== undefined) {
    const o = csr.subjectName.getField('O');
    if (o.length !== 1 || o[0] !== policy.organization) {
      throw new CsrRefusal('SubjectMismatch', `the CSR subject O is ${o.join(',') || 'missing'}, not ${policy.organization}`);
    }
  }
  const key = csr.publicKey.algorithm as { name: string; namedCurve?: string; modulusLength?: number };
  const allowedCurves = EC_CURVES[request.certificateType];
  const ecOk = key.name === 'ECDSA' && key.namedCurve !== undefined && allowedCurves.includes(key.namedCurve);
  const rsaOk = request.certificateType === 'ChargingStationCertificate' && key.name === 'RSASSA-PKCS1-v1_5' && (key.modulusLength ?? 0) >= MIN_RSA_BITS;
  if (!ecOk && !rsaOk) {
    const allowed = request.certificateType === 'V2GCertificate' ? `ECDSA ${allowedCurves.join('/')}` : `ECDSA ${allowedCurves.join('/')} or RSA >= ${MIN_RSA_BITS} bits`;
    throw new CsrRefusal('KeyType', `a ${key.name}${key.namedCurve ? ` ${key.namedCurve}` : ''}${key.modulusLength ? ` ${key.modulusLength}-bit` : ''} key is not allowed for a ${request.certificateType} (${allowed})`);
  }
  return csr;
}
