import type { Logger } from '../log/logger.ts';
import { checkCsr, CsrRefusal, type CertificateAuthority, type CsrPolicy } from './certificate-authority.ts';
import type { ContractCertificateBackend } from './contract-backend.ts';
import { normalizeEmaid, type ContractRegistry } from './contracts.ts';
import { HASH_ALGORITHMS, type CertificateHashData } from '../domain/certificates.ts';
import { certificateHashData } from './hash-data.ts';
import type { OcspClient } from './ocsp-client.ts';
import type { ContractCheck, PlugAndChargeService } from '../domain/ports.ts';
import type { OcspRequestData, SignedCertificateType, StationInfo, StatusInfo } from '../domain/certificates.ts';
import { parseChain, x509, type X509Certificate } from './x509.ts';

export interface PlugAndChargeOptions {
  /** Signs checked CSRs; without one every SignCertificate is rejected. */
  ca?: CertificateAuthority;
  csrPolicy: CsrPolicy;
  /** Sign and install certificates for stations on security profile 0 or 1 (development only). */
  allowInsecureProfiles: boolean;
  ocsp?: OcspClient;
  contractBackend?: ContractCertificateBackend;
  registry: ContractRegistry;
  /** Mobility-operator roots the gateway itself trusts for contract certificates. */
  moRoots: X509Certificate[];
  log: Logger;
  now?: () => Date;
}

/**
 * Whether the gateway signs or installs certificates for a station on this security profile:
 * only over TLS (2 and 3), unless the operator allows profiles 0 and 1 for development.
 */
export function mayHoldCertificates(securityProfile: number, allowInsecureProfiles: boolean): boolean {
  return securityProfile >= 2 || allowInsecureProfiles;
}

// statusInfo.additionalInfo is at most 512 characters in 2.0.1.
const info = (reasonCode: string, additionalInfo: string): StatusInfo => ({ reasonCode, additionalInfo: additionalInfo.slice(0, 512) });

/**
 * The CSMS side of ISO 15118 Plug & Charge, in 2.0.1 terms (1.6 stations reach it through
 * DataTransfer): contract certificates from the backend, OCSP for the station, CSR checks
 * and signing, and contracts (eMAIDs) checked and mapped to the consumer who registered them.
 */
export class PlugAndCharge implements PlugAndChargeService {
  private readonly opts: PlugAndChargeOptions;

  constructor(opts: PlugAndChargeOptions) {
    this.opts = opts;
  }

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }

  async get15118EVCertificate(station: StationInfo, req: { iso15118SchemaVersion: string; action: 'Install' | 'Update'; exiRequest: string }): Promise<{ status: 'Accepted' | 'Failed'; exiResponse: string; statusInfo?: StatusInfo }> {
    const backend = this.opts.contractBackend;
    if (!backend) return { status: 'Failed', exiResponse: '', statusInfo: info('NotConfigured', 'no contract certificate backend is configured on this gateway') };
    try {
      const { exiResponse } = await backend.request({ station: station.identity, ...req });
      return { status: 'Accepted', exiResponse };
    } catch (err) {
      this.opts.log.warn('contract certificate request failed', { station: station.identity, action: req.action, err });
      return { status: 'Failed', exiResponse: '', statusInfo: info('BackendFailed', (err as Error).message) };
    }
  }

  async getCertificateStatus(station: StationInfo, req: { ocspRequestData: OcspRequestData }): Promise<{ status: 'Accepted' | 'Failed'; ocspResult?: string; statusInfo?: StatusInfo }> {
    const ocsp = this.opts.ocsp;
    if (!ocsp) return { status: 'Failed', statusInfo: info('NotConfigured', 'OCSP is not enabled on this gateway') };
    try {
      const answer = await ocsp.check(req.ocspRequestData);
      return { status: 'Accepted', ocspResult: Buffer.from(answer.response).toString('base64') };
    } catch (err) {
      this.opts.log.warn('OCSP request failed', { station: station.identity, responder: req.ocspRequestData.responderURL, err });
      return { status: 'Failed', statusInfo: info('OcspFailed', (err as Error).message) };
    }
  }

  /**
   * Checks a SignCertificate request. Accepted means the CSR passed every check and will be
   * signed; the chain then goes to the station in CertificateSigned (see `sign`).
   */
  async checkSigningRequest(station: StationInfo, req: { csr: string; certificateType: SignedCertificateType }): Promise<{ status: 'Accepted' | 'Rejected'; statusInfo?: StatusInfo }> {
    if (!this.opts.ca) return { status: 'Rejected', statusInfo: info('NotConfigured', 'no certificate authority is configured on this gateway') };
    if (!mayHoldCertificates(station.securityProfile, this.opts.allowInsecureProfiles)) {
      return { status: 'Rejected', statusInfo: info('SecurityProfile', `certificates are not signed for stations on security profile ${station.securityProfile}`) };
    }
    try {
      await checkCsr({ csrPem: req.csr, certificateType: req.certificateType, station: station.identity }, this.opts.csrPolicy);
      return { status: 'Accepted' };
    } catch (err) {
      if (!(err instanceof CsrRefusal)) throw err;
      this.opts.log.warn('CSR refused', { station: station.identity, reason: err.message });
      return { status: 'Rejected', statusInfo: info(err.code, err.message) };
    }
  }

  /** Signs a CSR that passed checkSigningRequest: the chain, leaf first. */
  sign(station: StationInfo, req: { csr: string; certificateType: SignedCertificateType }): Promise<string[]> {
    if (!this.opts.ca) throw new Error('no certificate authority is configured');
    return this.opts.ca.sign({ csrPem: req.csr, certificateType: req.certificateType, station: station.identity });
  }

  /**
   * An Authorize with an eMAID: the contract must be registered by a consumer, and its
   * certificate valid. The station sends either the contract certificate chain (checked here
   * against the trusted MO roots, then by OCSP when the certificate names a responder), or
   * its hash data (checked by OCSP), or neither (it validated the chain itself).
   */
  async checkContract(station: StationInfo, req: { eMAID: string; certificate?: string; hashData?: OcspRequestData[] }): Promise<ContractCheck> {
    let emaid: string;
    try {
      emaid = normalizeEmaid(req.eMAID);
    } catch (err) {
      return { status: 'Invalid', reason: (err as Error).message };
    }
    const holder = await this.opts.registry.holderOf(emaid);
    if (!holder) return { status: 'Unknown', reason: `no consumer has registered the contract ${emaid}` };
    const certificate = req.certificate ? await this.checkChain(req.certificate, emaid) : undefined;
    if (certificate && certificate.status !== 'Accepted') return certificate;
    const ocspTargets = [...(certificate?.ocsp ? [certificate.ocsp] : []), ...(req.hashData ?? [])];
    for (const target of ocspTargets) {
      const revocation = await this.revocation(station, target);
      if (revocation) return revocation;
    }
    // A certificate status only when a certificate (or its hash data) was checked.
    const checked = req.certificate || req.hashData?.length ? { certificateStatus: 'Accepted' as const } : {};
    return { status: 'Accepted', ...checked, holder, reason: `contract ${emaid} of ${holder.consumerPublicKey}` };
  }

  private async revocation(station: StationInfo, target: OcspRequestData): Promise<ContractCheck | undefined> {
    if (!this.opts.ocsp) return { status: 'Invalid', certificateStatus: 'NoCertificateAvailable', reason: 'the contract certificate cannot be checked: OCSP is not enabled' };
    try {
      const answer = await this.opts.ocsp.check(target);
      if (answer.status === 'Revoked') return { status: 'Invalid', certificateStatus: 'CertificateRevoked', reason: `the contract certificate ${target.serialNumber} is revoked` };
      if (answer.status === 'Unknown') return { status: 'Invalid', certificateStatus: 'CertChainError', reason: `the OCSP responder does not know certificate ${target.serialNumber}` };
      return undefined;
    } catch (err) {
      this.opts.log.warn('OCSP check of a contract certificate failed', { station: station.identity, err });
      return { status: 'Invalid', certificateStatus: 'NoCertificateAvailable', reason: `the contract certificate status is unavailable: ${(err as Error).message}` };
    }
  }

  /** The contract chain up to a trusted MO root; the OCSP target of the leaf when it names a responder. */
  private async checkChain(pem: string, emaid: string): Promise<ContractCheck & { ocsp?: OcspRequestData }> {
    let chain: X509Certificate[];
    try {
      chain = parseChain(pem);
    } catch (err) {
      return { status: 'Invalid', certificateStatus: 'CertChainError', reason: `the contract certificate is unreadable: ${(err as Error).message}` };
    }
    const leaf = chain[0]!;
    const cn = leaf.subjectName.getField('CN')[0] ?? '';
    if (cn.replace(/-/g, '').toUpperCase() !== emaid) {
      return { status: 'Invalid', certificateStatus: 'CertChainError', reason: `the contract certificate is for ${cn}, not ${emaid}` };
    }
    const now = this.now();
    if (chain.some((c) => c.notAfter < now || c.notBefore > now)) {
      return { status: 'Expired', certificateStatus: 'CertificateExpired', reason: 'a certificate of the contract chain is outside its validity' };
    }
    // Walk up from the leaf until a certificate is, or is signed by, a trusted MO root.
    let leafIssuer: X509Certificate | undefined;
    for (let i = 0; ; i++) {
      const cert = chain[i]!;
      if (this.opts.moRoots.some((root) => root.equal(cert))) break;
      const next = chain[i + 1];
      const issuer = next ?? this.opts.moRoots.find((root) => root.subject === cert.issuer);
      if (!issuer) return { status: 'Invalid', certificateStatus: 'CertChainError', reason: `no trusted MO root issued ${cert.subject}` };
      if (!(await cert.verify({ publicKey: issuer.publicKey, signatureOnly: true }))) {
        return { status: 'Invalid', certificateStatus: 'SignatureError', reason: `the signature of ${cert.subject} does not verify` };
      }
      if (i === 0) leafIssuer = issuer;
      if (!next) break;
    }
    const responder = leaf.getExtension(x509.AuthorityInfoAccessExtension)?.ocsp.find((g) => g.type === 'url')?.value;
    if (!responder || !leafIssuer) return { status: 'Accepted', reason: 'chain verified' };
    const hashData: CertificateHashData = certificateHashData(leaf, leafIssuer, HASH_ALGORITHMS[0]);
    return { status: 'Accepted', reason: 'chain verified', ocsp: { ...hashData, responderURL: responder } };
  }
}
