import type { CertificateAuthority, SigningRequest } from './certificate-authority.ts';
import { postJson } from './http-json.ts';
import { parseChain, toPem } from './x509.ts';

/**
 * An external CA (e.g. the operator's PKI service) over HTTP: POST {csr, certificateType,
 * station} as JSON, answer {certificateChain: PEM, leaf first}. Checks on the CSR have
 * already run here; the external CA may apply its own.
 */
export class HttpCertificateAuthority implements CertificateAuthority {
  private readonly url: string;
  private readonly timeoutMs: number;
  private readonly headers: Record<string, string>;

  constructor(opts: { url: string; timeoutMs: number; token?: string }) {
    this.url = opts.url;
    this.timeoutMs = opts.timeoutMs;
    this.headers = opts.token ? { Authorization: `Bearer ${opts.token}` } : {};
  }

  async sign(request: SigningRequest): Promise<string[]> {
    const answer = await postJson(this.url, { csr: request.csrPem, certificateType: request.certificateType, station: request.station }, {
      timeoutMs: this.timeoutMs, service: 'external CA', headers: this.headers,
    });
    const chain = (answer as { certificateChain?: unknown }).certificateChain;
    if (typeof chain !== 'string') throw new Error('the external CA answered without a certificateChain');
    return parseChain(chain).map(toPem);
  }
}
