import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { CertificateAuthority, SigningRequest } from './certificate-authority.ts';
import type { SignedCertificateType } from '../domain/certificates.ts';
import { parseChain, toPem, x509, type X509Certificate } from './x509.ts';

/** A sub-CA the gateway signs with: its certificate, the chain above it (no root), its key. */
export interface Issuer {
  certificate: X509Certificate;
  chain: X509Certificate[];
  key: webcrypto.CryptoKey;
  algorithm: SigningAlgorithm;
}

/** What webcrypto imports the key with and signs with (extra members are ignored by sign). */
export type SigningAlgorithm = { name: 'ECDSA'; namedCurve: string; hash: string } | { name: 'RSASSA-PKCS1-v1_5'; hash: string };

const CURVES: Record<string, { curve: string; hash: string }> = {
  prime256v1: { curve: 'P-256', hash: 'SHA-256' },
  secp384r1: { curve: 'P-384', hash: 'SHA-384' },
  secp521r1: { curve: 'P-521', hash: 'SHA-512' },
};

/** Imports a PEM private key (PKCS#8, SEC1 or PKCS#1) for signing certificates. */
export async function importSigningKey(pem: string): Promise<{ key: webcrypto.CryptoKey; algorithm: SigningAlgorithm }> {
  const keyObject = createPrivateKey(pem);
  const pkcs8 = keyObject.export({ type: 'pkcs8', format: 'der' });
  if (keyObject.asymmetricKeyType === 'ec') {
    const named = CURVES[keyObject.asymmetricKeyDetails?.namedCurve ?? ''];
    if (!named) throw new Error(`unsupported CA key curve ${String(keyObject.asymmetricKeyDetails?.namedCurve)}`);
    const algorithm = { name: 'ECDSA' as const, namedCurve: named.curve, hash: named.hash };
    return { key: await webcrypto.subtle.importKey('pkcs8', pkcs8, algorithm, false, ['sign']), algorithm };
  }
  if (keyObject.asymmetricKeyType === 'rsa') {
    const algorithm = { name: 'RSASSA-PKCS1-v1_5' as const, hash: 'SHA-256' };
    return { key: await webcrypto.subtle.importKey('pkcs8', pkcs8, algorithm, false, ['sign']), algorithm };
  }
  throw new Error(`unsupported CA key type ${String(keyObject.asymmetricKeyType)}`);
}

/**
 * Loads a sub-CA from PEM files; the key must belong to the certificate. With `rootFile`, the
 * root goes at the end of every chain sent (some chargers refuse a chain without it).
 */
export async function loadIssuer(files: { certFile: string; keyFile: string; chainFile?: string; rootFile?: string }): Promise<Issuer> {
  const [certificate, ...rest] = parseChain(readFileSync(files.certFile, 'utf8'));
  if (!certificate) throw new Error(`${files.certFile} holds no certificate`);
  const root = files.rootFile ? parseChain(readFileSync(files.rootFile, 'utf8')) : [];
  if (files.rootFile && root.length !== 1) throw new Error(`${files.rootFile} must hold exactly one certificate (the root)`);
  const chain = [...rest, ...(files.chainFile ? parseChain(readFileSync(files.chainFile, 'utf8')) : []), ...root];
  const { key, algorithm } = await importSigningKey(readFileSync(files.keyFile, 'utf8'));
  // A signature made now must verify with the certificate: catches a key/cert mix-up at start.
  const probe = Buffer.from('charging-gateway issuer check');
  const signature = await webcrypto.subtle.sign(algorithm, key, probe);
  const publicKey = await certificate.publicKey.export(algorithm, ['verify']);
  if (!(await webcrypto.subtle.verify(algorithm, publicKey, signature, probe))) {
    throw new Error(`${files.keyFile} is not the key of ${files.certFile}`);
  }
  return { certificate, chain, key, algorithm };
}

export interface LocalCertificateAuthorityOptions {
  issuers: Partial<Record<SignedCertificateType, Issuer>>;
  validityDays: Record<SignedCertificateType, number>;
  now?: () => Date;
}

/**
 * Signs station CSRs with the operator's sub-CAs: the CSO sub-CA for station (TLS client)
 * certificates and the V2G sub-CA for SECC certificates, each with its own profile.
 */
export class LocalCertificateAuthority implements CertificateAuthority {
  private readonly opts: LocalCertificateAuthorityOptions;

  constructor(opts: LocalCertificateAuthorityOptions) {
    this.opts = opts;
  }

  async sign(request: SigningRequest): Promise<string[]> {
    const issuer = this.opts.issuers[request.certificateType];
    if (!issuer) throw new Error(`no sub-CA is configured for ${request.certificateType}`);
    const csr = new x509.Pkcs10CertificateRequest(request.csrPem);
    const now = this.opts.now?.() ?? new Date();
    const notBefore = new Date(now.getTime() - 5 * 60_000); // station clocks drift
    const wanted = new Date(now.getTime() + this.opts.validityDays[request.certificateType] * 86_400_000);
    const notAfter = wanted < issuer.certificate.notAfter ? wanted : issuer.certificate.notAfter;
    const serial = randomBytes(16);
    serial[0] = serial[0]! & 0x7f; // a positive INTEGER
    const ec = (csr.publicKey.algorithm as { name: string }).name === 'ECDSA';
    const usages = x509.KeyUsageFlags.digitalSignature | (ec ? x509.KeyUsageFlags.keyAgreement : x509.KeyUsageFlags.keyEncipherment);
    const leaf = await x509.X509CertificateGenerator.create({
      serialNumber: serial.toString('hex'),
      subject: csr.subjectName,
      issuer: issuer.certificate.subjectName,
      notBefore,
      notAfter,
      publicKey: csr.publicKey,
      signingKey: issuer.key,
      signingAlgorithm: issuer.algorithm,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(usages, true),
        ...(request.certificateType === 'ChargingStationCertificate' ? [new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false)] : []),
        await x509.SubjectKeyIdentifierExtension.create(csr.publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(issuer.certificate),
      ],
    });
    return [leaf, issuer.certificate, ...issuer.chain].map(toPem);
  }
}
