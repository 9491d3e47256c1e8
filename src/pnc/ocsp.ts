import { createHash, X509Certificate as NodeCertificate, verify } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import { BasicOCSPResponse, CertID, OCSPRequest, OCSPResponse, OCSPResponseStatus, Request, TBSRequest, id_pkix_ocsp_basic } from '@peculiar/asn1-ocsp';
import { sameHashData, serialHex, type CertificateHashData, type HashAlgorithm } from '../domain/certificates.ts';

/** OCPP's OCSPRequestDataType: which certificate, and which responder to ask. */

export type OcspStatus = 'Good' | 'Revoked' | 'Unknown';

export interface OcspAnswer {
  status: OcspStatus;
  /** The DER OCSPResponse exactly as the responder sent it (what a station forwards to the EV). */
  response: Uint8Array;
  thisUpdate: Date;
  nextUpdate?: Date;
  revokedAt?: Date;
}

/** Why no usable OCSP answer could be had, in words an operator can act on. */
export class OcspError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OcspError';
  }
}

const HASH_OID: Record<HashAlgorithm, string> = {
  SHA256: '2.16.840.1.101.3.4.2.1',
  SHA384: '2.16.840.1.101.3.4.2.2',
  SHA512: '2.16.840.1.101.3.4.2.3',
};

// Signature algorithms a responder may use, with the digest node:crypto is told (null: none).
const SIGNATURE_HASH: Record<string, string | null> = {
  '1.2.840.10045.4.3.2': 'sha256', '1.2.840.10045.4.3.3': 'sha384', '1.2.840.10045.4.3.4': 'sha512',
  '1.2.840.113549.1.1.11': 'sha256', '1.2.840.113549.1.1.12': 'sha384', '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.113549.1.1.5': 'sha1', '1.3.101.112': null,
};
const OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';

function hexBytes(hex: string, what: string): Uint8Array {
  if (!/^([0-9a-fA-F]{2})+$/.test(hex)) throw new OcspError(`${what} is not hex`);
  return Buffer.from(hex, 'hex');
}

/** The DER OCSPRequest (RFC 6960) for one certificate, without a nonce so responses can be cached. */
export function encodeOcspRequest(data: CertificateHashData): Uint8Array {
  const serialText = data.serialNumber.length % 2 ? `0${data.serialNumber}` : data.serialNumber;
  let serial = hexBytes(serialText, 'serialNumber');
  // INTEGER is signed: a leading byte >= 0x80 needs a zero byte in front to stay positive.
  if ((serial[0] ?? 0) >= 0x80) serial = Buffer.concat([Buffer.from([0]), serial]);
  const certId = new CertID({
    hashAlgorithm: new AlgorithmIdentifier({ algorithm: HASH_OID[data.hashAlgorithm], parameters: null }),
    issuerNameHash: new OctetString(hexBytes(data.issuerNameHash, 'issuerNameHash')),
    issuerKeyHash: new OctetString(hexBytes(data.issuerKeyHash, 'issuerKeyHash')),
    serialNumber: new Uint8Array(serial).buffer,
  });
  const request = new OCSPRequest({ tbsRequest: new TBSRequest({ requestList: [new Request({ reqCert: certId })] }) });
  return new Uint8Array(AsnConvert.serialize(request));
}

function hashDataOf(id: CertID): CertificateHashData | undefined {
  const alg = (Object.keys(HASH_OID) as HashAlgorithm[]).find((a) => HASH_OID[a] === id.hashAlgorithm.algorithm);
  if (!alg) return undefined;
  return {
    hashAlgorithm: alg,
    issuerNameHash: Buffer.from(id.issuerNameHash.buffer).toString('hex'),
    issuerKeyHash: Buffer.from(id.issuerKeyHash.buffer).toString('hex'),
    serialNumber: serialHex(new Uint8Array(id.serialNumber)),
  };
}

/**
 * Reads a responder's DER answer about `asked`: the response must be successful, carry a
 * SingleResponse for exactly that certificate, be signed by the responder certificate it
 * includes (the issuer itself or a delegate with the OCSPSigning purpose) and be current.
 */
export function decodeOcspResponse(der: Uint8Array, asked: CertificateHashData, now: Date): OcspAnswer {
  let outer: OCSPResponse;
  let basic: BasicOCSPResponse;
  try {
    outer = AsnConvert.parse(der, OCSPResponse);
    if (outer.responseStatus !== OCSPResponseStatus.successful) {
      throw new OcspError(`the responder answered ${OCSPResponseStatus[outer.responseStatus] ?? outer.responseStatus}`);
    }
    if (!outer.responseBytes || outer.responseBytes.responseType !== id_pkix_ocsp_basic) throw new OcspError('the response is not a basic OCSP response');
    basic = AsnConvert.parse(outer.responseBytes.response, BasicOCSPResponse);
  } catch (err) {
    if (err instanceof OcspError) throw err;
    throw new OcspError(`the responder's answer is not a DER OCSPResponse: ${(err as Error).message}`);
  }
  const single = basic.tbsResponseData.responses.find((r) => {
    const h = hashDataOf(r.certID);
    return h !== undefined && sameHashData(h, asked);
  });
  if (!single) throw new OcspError('the response does not cover the certificate asked about');
  verifySignature(basic, asked);
  if (single.thisUpdate.getTime() > now.getTime() + 5 * 60_000) throw new OcspError('the response is from the future (thisUpdate)');
  if (single.nextUpdate && single.nextUpdate.getTime() < now.getTime()) throw new OcspError('the response is out of date (nextUpdate has passed)');
  const status: OcspStatus = single.certStatus.good !== undefined ? 'Good' : single.certStatus.revoked ? 'Revoked' : 'Unknown';
  return {
    status,
    response: der,
    thisUpdate: single.thisUpdate,
    ...(single.nextUpdate ? { nextUpdate: single.nextUpdate } : {}),
    ...(single.certStatus.revoked ? { revokedAt: single.certStatus.revoked.revocationTime } : {}),
  };
}

function verifySignature(basic: BasicOCSPResponse, asked: CertificateHashData): void {
  const responderDer = basic.certs?.[0];
  if (!responderDer || !basic.tbsResponseDataRaw) throw new OcspError('the response carries no responder certificate to check its signature with');
  const responder = new NodeCertificate(Buffer.from(AsnConvert.serialize(responderDer)));
  const hash = SIGNATURE_HASH[basic.signatureAlgorithm.algorithm];
  if (hash === undefined) throw new OcspError(`unsupported OCSP signature algorithm ${basic.signatureAlgorithm.algorithm}`);
  if (!verify(hash, Buffer.from(basic.tbsResponseDataRaw), responder.publicKey, Buffer.from(basic.signature))) {
    throw new OcspError('the OCSP response signature is not valid');
  }
  const spki = responder.publicKey.export({ type: 'spki', format: 'der' });
  const isIssuer = keyHashOf(asked.hashAlgorithm, spki) === asked.issuerKeyHash.toLowerCase();
  const delegated = (responder.keyUsage ?? []).includes(OCSP_SIGNING);
  if (!isIssuer && !delegated) throw new OcspError('the responder certificate is neither the issuer nor authorized for OCSP signing');
}

function keyHashOf(alg: HashAlgorithm, spkiDer: Buffer): string {
  const spki = AsnConvert.parse(spkiDer, SubjectPublicKeyInfo);
  return createHash(alg.replace('SHA', 'sha')).update(new Uint8Array(spki.subjectPublicKey)).digest('hex');
}
