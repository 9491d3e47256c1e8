import type { CertificateAuthority, SigningRequest } from './certificate-authority.ts';
import { jsonEndpoint, type JsonEndpointOptions } from './http-json.ts';
import { parseChain, toPem } from './x509.ts';

/**
 * An external CA (e.g. the operator's PKI service) over HTTP: POST {csr, certificateType,
 * station} as JSON, answer {certificateChain: PEM, leaf first}. Checks on the CSR have
 * already run here; the external CA may apply its own.
 */
export class HttpCertificateAuthority implements CertificateAuthority {
  private readonly post: (body: unknown) => Promise<unknown>;

  constructor(opts: JsonEndpointOptions) {
    this.post = jsonEndpoint(opts, 'external CA');
  }

  async sign(request: SigningRequest): Promise<string[]> {
    const answer = await this.post({ csr: request.csrPem, certificateType: request.certificateType, station: request.station });
    const chain = (answer as { certificateChain?: unknown }).certificateChain;
    if (typeof chain !== 'string') throw new Error('the external CA answered without a certificateChain');
    return parseChain(chain).map(toPem);
  }
}
