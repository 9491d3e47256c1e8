import { decodeOcspResponse, encodeOcspRequest, OcspError, type OcspAnswer } from './ocsp.ts';
import type { OcspRequestData } from '../domain/certificates.ts';

/** Asks OCSP responders about certificates. */
export interface OcspClient {
  check(request: OcspRequestData): Promise<OcspAnswer>;
}

export interface HttpOcspClientOptions {
  timeoutMs: number;
  /** Answers kept until their nextUpdate; the oldest go first beyond this many. */
  cacheSize?: number;
  now?: () => Date;
}

/**
 * OCSP over HTTP (RFC 6960 appendix A: POST application/ocsp-request). Answers are cached
 * until their nextUpdate, so a station asking again, or many stations asking about the same
 * certificate, cost one request to the responder.
 */
export class HttpOcspClient implements OcspClient {
  private readonly opts: HttpOcspClientOptions;
  private readonly cache = new Map<string, OcspAnswer>();

  constructor(opts: HttpOcspClientOptions) {
    this.opts = opts;
  }

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }

  async check(request: OcspRequestData): Promise<OcspAnswer> {
    const key = [request.responderURL, request.hashAlgorithm, request.issuerNameHash, request.issuerKeyHash, request.serialNumber].join('|').toLowerCase();
    const cached = this.cache.get(key);
    if (cached?.nextUpdate && cached.nextUpdate > this.now()) return cached;
    this.cache.delete(key);
    const answer = decodeOcspResponse(await this.post(request.responderURL, encodeOcspRequest(request)), request, this.now());
    if (answer.nextUpdate) {
      this.cache.set(key, answer);
      if (this.cache.size > (this.opts.cacheSize ?? 10_000)) this.cache.delete(this.cache.keys().next().value!);
    }
    return answer;
  }

  private async post(url: string, body: Uint8Array): Promise<Uint8Array> {
    if (!/^https?:\/\//i.test(url)) throw new OcspError(`the responder URL ${url} is not http(s)`);
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/ocsp-request', Accept: 'application/ocsp-response' },
        body,
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
    } catch (err) {
      const reason = (err as Error).name === 'TimeoutError' ? `no answer within ${this.opts.timeoutMs} ms` : String((err as { cause?: unknown }).cause ?? (err as Error).message);
      throw new OcspError(`the OCSP responder ${url} could not be reached: ${reason}`);
    }
    if (!res.ok) throw new OcspError(`the OCSP responder ${url} answered HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  }
}
