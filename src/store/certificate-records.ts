import { codecFor } from '../proto/codec.ts';
import { hashDataId } from '../domain/certificates.ts';
import type { CertificateRecords, StationCertificate } from '../domain/ports.ts';
import type { KeyRange, LevelDatabase } from './level-database.ts';
import { keys } from './keys.ts';

const certificateCodec = codecFor('store.StationCertificate');

/** The certificates each station reports as installed (its inventory). */
export class LevelCertificateRecords implements CertificateRecords {
  private readonly db: LevelDatabase;

  constructor(db: LevelDatabase) {
    this.db = db;
  }

  async certificates(identity: string): Promise<StationCertificate[]> {
    const out: StationCertificate[] = [];
    for await (const value of this.db.values(keys.certificateRange(identity))) out.push(certificateCodec.decode(value));
    return out;
  }

  async updateCertificates(identity: string, put: StationCertificate[], remove: string[]): Promise<void> {
    await this.db.write([
      ...remove.map((id) => ({ type: 'del' as const, key: keys.certificate(identity, id) })),
      ...put.map((c) => ({ type: 'put' as const, key: keys.certificate(identity, hashDataId(c)), value: certificateCodec.encode(c) })),
    ]);
  }

  /** The range a station's deletion clears. */
  recordRange(identity: string): KeyRange {
    return keys.certificateRange(identity);
  }
}
