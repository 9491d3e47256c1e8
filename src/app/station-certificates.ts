import { setTimeout as sleep } from 'node:timers/promises';
import { CodedError } from '../coded-error.ts';
import type { Logger } from '../log/logger.ts';
import { hashDataId, INSTALL_CERTIFICATE_USES, type CertificateHashData, type CertificateIdUse, type InstallCertificateUse, type SignedCertificateType } from '../domain/certificates.ts';
import type { CertificateReader, CertificateRecords, ReadCertificate, StationCertificate } from '../domain/ports.ts';
import { StationCallError, type StationLinks } from './station-link.ts';

export type CertificateErrorCode = 'InvalidRequest' | 'SecurityProfile' | 'NotFound';

/** An operator's certificate command that cannot be carried out as asked. */
export class CertificateError extends CodedError<CertificateErrorCode> {}

export interface StationCertificatesOptions {
  commands: StationLinks;
  records: CertificateRecords;
  reader: CertificateReader;
  /** Whether certificates may be installed or signed for this station (its security profile). */
  mayInstall: (identity: string) => boolean;
  /** CertificateSigned delivery: tries in all, and the wait between them. */
  delivery: { attempts: number; retryMs: number };
  log: Logger;
  now?: () => Date;
}

const ALL_TYPES: readonly CertificateIdUse[] = [...INSTALL_CERTIFICATE_USES, 'V2GCertificateChain'];

/**
 * Each station's certificates: what the gateway installed, signed or last heard the station
 * report, kept in LevelDB with the RFC 6960 hash data the station uses to name them, and the
 * commands that change them. A record changes only after the station accepted the change.
 */
export class StationCertificates {
  private readonly opts: StationCertificatesOptions;
  private readonly deliveries = new Set<Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(opts: StationCertificatesOptions) {
    this.opts = opts;
  }

  private now(): string {
    return (this.opts.now?.() ?? new Date()).toISOString();
  }

  list(identity: string): Promise<StationCertificate[]> {
    return this.opts.records.certificates(identity);
  }

  /** InstallCertificate of a root (self-signed) certificate; recorded when the station accepts. */
  async install(identity: string, type: InstallCertificateUse, pem: string): Promise<{ status: string; certificate?: StationCertificate }> {
    let cert: ReadCertificate;
    try {
      cert = await this.opts.reader.read(pem);
    } catch (err) {
      throw new CertificateError('InvalidRequest', (err as Error).message);
    }
    if (!cert.selfSigned) throw new CertificateError('InvalidRequest', `${cert.subject} is not a root (self-signed) certificate`);
    if (!this.opts.mayInstall(identity)) {
      throw new CertificateError('SecurityProfile', `certificates are not installed on ${identity}: its security profile is below 2 (set pnc.allowInsecureProfiles for development)`);
    }
    const status = await this.opts.commands.for(identity).installCertificate(type, cert.pem);
    if (status !== 'Accepted') return { status };
    const record = this.record(type, cert, 'InstallCertificate');
    await this.opts.records.updateCertificates(identity, [record], []);
    return { status, certificate: record };
  }

  /** DeleteCertificate of a recorded certificate (by its id); the record goes when the station deleted it or never had it. */
  async delete(identity: string, id: string): Promise<{ status: string }> {
    const record = (await this.list(identity)).find((c) => hashDataId(c) === id);
    if (!record) throw new CertificateError('NotFound', `no certificate ${id} is recorded for ${identity}`);
    const status = await this.opts.commands.for(identity).deleteCertificate(hashDataOf(record), record.certificateType as CertificateIdUse);
    if (status === 'Accepted' || status === 'NotFound') await this.opts.records.updateCertificates(identity, [], [id]);
    return { status };
  }

  /**
   * GetInstalledCertificateIds: the station's answer replaces the records of the asked types
   * (known PEMs are kept for certificates that are still there).
   */
  async refresh(identity: string, types: readonly CertificateIdUse[] = ALL_TYPES): Promise<StationCertificate[]> {
    const reported = await this.opts.commands.for(identity).installedCertificates(types);
    const known = new Map((await this.list(identity)).map((c) => [hashDataId(c), c]));
    const stale = [...known.entries()].filter(([, c]) => types.includes(c.certificateType as CertificateIdUse)).map(([id]) => id);
    const fresh = reported.map(({ certificateType, hashData }) => {
      const before = known.get(hashDataId(hashData));
      return {
        ...(before ?? { pem: '', subject: '', notAfter: '' }),
        certificateType,
        ...hashData,
        recordedAt: this.now(),
        source: before?.source ?? 'GetInstalledCertificateIds',
      };
    });
    await this.opts.records.updateCertificates(identity, fresh, stale.filter((id) => !fresh.some((c) => hashDataId(c) === id)));
    return this.list(identity);
  }

  /**
   * Sends a signed chain in CertificateSigned, in the background: retried when the station
   * is offline or silent, recorded once it accepts.
   */
  deliverSigned(identity: string, chain: string[], type: SignedCertificateType): void {
    const delivery = this.deliver(identity, chain, type).finally(() => this.deliveries.delete(delivery));
    this.deliveries.add(delivery);
  }

  /** Ends the retries under way and waits for deliveries in flight. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled([...this.deliveries]);
  }

  private async deliver(identity: string, chain: string[], type: SignedCertificateType): Promise<void> {
    const { attempts, retryMs } = this.opts.delivery;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const answer = await this.opts.commands.for(identity).certificateSigned(chain.join(''), type);
        if (!answer.accepted) {
          this.opts.log.warn('station rejected its signed certificate', { station: identity, type, reason: answer.reason });
          return;
        }
        const [leafPem, issuerPem] = this.opts.reader.split(chain.join(''));
        const leaf = await this.opts.reader.read(leafPem!, issuerPem ?? leafPem);
        await this.opts.records.updateCertificates(identity, [this.record(type, leaf, 'CertificateSigned')], []);
        this.opts.log.info('signed certificate delivered', { station: identity, type, serial: leaf.serialNumber });
        return;
      } catch (err) {
        const retriable = err instanceof StationCallError && (err.code === 'StationOffline' || err.code === 'Timeout');
        this.opts.log.warn('CertificateSigned not delivered', { station: identity, type, attempt, retriable, err });
        if (!retriable || attempt === attempts || this.stopping.signal.aborted) return;
        try {
          await sleep(retryMs, undefined, { signal: this.stopping.signal });
        } catch {
          return; // stopping
        }
      }
    }
  }

  private record(type: string, cert: ReadCertificate, source: string): StationCertificate {
    return {
      certificateType: type,
      ...cert.hashData,
      pem: cert.pem,
      subject: cert.subject,
      notAfter: cert.notAfter,
      recordedAt: this.now(),
      source,
    };
  }
}

function hashDataOf(c: StationCertificate): CertificateHashData {
  return { hashAlgorithm: c.hashAlgorithm as CertificateHashData['hashAlgorithm'], issuerNameHash: c.issuerNameHash, issuerKeyHash: c.issuerKeyHash, serialNumber: c.serialNumber };
}
