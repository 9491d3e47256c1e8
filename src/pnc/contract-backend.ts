import { jsonEndpoint, type JsonEndpointOptions } from './http-json.ts';

/** A Get15118EVCertificate request, forwarded as the station sent it. */
export interface ContractCertificateRequest {
  station: string;
  iso15118SchemaVersion: string;
  action: 'Install' | 'Update';
  /** Base64 EXI CertificateInstallationReq / CertificateUpdateReq from the EV. */
  exiRequest: string;
}

/** Where contract certificates come from (a mobility operator's or a PKI platform's service). */
export interface ContractCertificateBackend {
  /** The base64 EXI response for the EV; throws with a clear message when there is none. */
  request(request: ContractCertificateRequest): Promise<{ exiResponse: string }>;
}

/** The most a 2.0.1 Get15118EVCertificate response may carry (OCPP 2.0.1 errata). */
export const MAX_EXI_RESPONSE = 7500;

/**
 * A contract-certificate backend over HTTP: POST the request as JSON, answer
 * {exiResponse: base64 EXI}. Other backends plug in behind ContractCertificateBackend.
 */
export class HttpContractBackend implements ContractCertificateBackend {
  private readonly post: (body: unknown) => Promise<unknown>;

  constructor(opts: JsonEndpointOptions) {
    this.post = jsonEndpoint(opts, 'contract certificate backend');
  }

  async request(request: ContractCertificateRequest): Promise<{ exiResponse: string }> {
    const answer = await this.post(request);
    const exi = (answer as { exiResponse?: unknown }).exiResponse;
    if (typeof exi !== 'string' || !exi) throw new Error('the contract certificate backend answered without an exiResponse');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(exi)) throw new Error('the contract certificate backend answered an exiResponse that is not base64');
    if (exi.length > MAX_EXI_RESPONSE) throw new Error(`the exiResponse is ${exi.length} characters, more than the ${MAX_EXI_RESPONSE} OCPP allows`);
    return { exiResponse: exi };
  }
}
