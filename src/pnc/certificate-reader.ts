import type { CertificateReader, ReadCertificate } from '../domain/ports.ts';
import { certificateHashData } from './hash-data.ts';
import { parseCertificate, parseChain, toPem } from './x509.ts';

/** The certificate inventory's reader of X.509, with @peculiar/x509. */
export const x509CertificateReader: CertificateReader = {
  async read(pem: string, issuerPem?: string): Promise<ReadCertificate> {
    const cert = parseCertificate(pem.trim());
    const issuer = issuerPem === undefined ? cert : parseCertificate(issuerPem.trim());
    return {
      pem: toPem(cert),
      subject: cert.subject,
      notAfter: cert.notAfter.toISOString(),
      serialNumber: cert.serialNumber,
      selfSigned: await cert.isSelfSigned(),
      hashData: certificateHashData(cert, issuer),
    };
  },
  split: (chainPem) => parseChain(chainPem).map(toPem),
};
