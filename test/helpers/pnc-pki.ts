// Plug & Charge test material made by openssl: station CSRs, a mobility operator's CA with
// contract certificates, and a real `openssl ocsp` responder over an index file.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DevPkiFiles } from '../../gateway/dev-pki.ts';
import { freePort } from './net.ts';
import { eventually } from './wait.ts';

export function openssl(args: string[], cwd: string, input?: string): string {
  return execFileSync('openssl', args, { cwd, stdio: ['pipe', 'pipe', 'pipe'], ...(input !== undefined ? { input } : {}) }).toString();
}

/** A station CSR made by openssl: subject and key type as given. */
export function makeCsr(dir: string, name: string, subject: string, key: 'ec' | 'ec384' | 'rsa1024' | 'rsa2048' = 'ec'): string {
  const keyArgs = key === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']
    : key === 'ec384' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384']
      : ['-newkey', `rsa:${key === 'rsa1024' ? 1024 : 2048}`];
  openssl(['req', '-new', ...keyArgs, '-nodes', '-subj', subject, '-keyout', `${name}.key`, '-out', `${name}.csr`], dir);
  return readFileSync(join(dir, `${name}.csr`), 'utf8');
}

/** The same CSR with one byte of its signature changed: the self-signature no longer verifies. */
export function tamperCsr(pem: string): string {
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  der[der.length - 5] = der[der.length - 5]! ^ 0x01;
  return `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE REQUEST-----\n`;
}

export interface Contract {
  emaid: string;
  certFile: string;
  pem: string;
  serial: string;
}

/** A mobility operator: root CA (openssl), contract certificates naming an OCSP responder, and the responder. */
export class MoPki {
  readonly dir: string;
  readonly rootFile: string;
  readonly ocspUrl: string;
  private readonly port: number;
  private readonly index: string[] = [];
  private responder: ChildProcess | undefined;
  private serial = 0x1000;

  private constructor(dir: string, port: number) {
    this.dir = dir;
    this.port = port;
    this.rootFile = join(dir, 'mo-root.crt');
    this.ocspUrl = `http://127.0.0.1:${port}`;
  }

  static async create(dir: string): Promise<MoPki> {
    const pki = new MoPki(dir, await freePort());
    openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '30', '-subj', '/CN=Test MO Root/O=Test MO',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
      '-keyout', 'mo-root.key', '-out', 'mo-root.crt'], dir);
    // A delegated responder: its own key, certified by the root for OCSP signing only.
    writeFileSync(join(dir, 'ocsp.ext'), 'extendedKeyUsage=OCSPSigning\nbasicConstraints=CA:FALSE\n');
    openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=Test MO OCSP', '-keyout', 'ocsp.key', '-out', 'ocsp.csr'], dir);
    openssl(['x509', '-req', '-in', 'ocsp.csr', '-CA', 'mo-root.crt', '-CAkey', 'mo-root.key', '-set_serial', '0x0fff', '-days', '30', '-extfile', 'ocsp.ext', '-out', 'ocsp.crt'], dir);
    return pki;
  }

  /** A contract certificate for `emaid`, signed by the MO root, naming the responder (AIA). */
  issue(emaid: string, status: 'good' | 'revoked' | 'unlisted' = 'good'): Contract {
    const serial = (this.serial++).toString(16).toUpperCase();
    const name = `contract-${serial}`;
    writeFileSync(join(this.dir, `${name}.ext`), `authorityInfoAccess=OCSP;URI:${this.ocspUrl}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyAgreement\n`);
    openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${emaid}/O=Test MO`, '-keyout', `${name}.key`, '-out', `${name}.csr`], this.dir);
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'mo-root.crt', '-CAkey', 'mo-root.key', '-set_serial', `0x${serial}`, '-days', '10', '-extfile', `${name}.ext`, '-out', `${name}.crt`], this.dir);
    if (status !== 'unlisted') {
      const expiry = '301231235959Z';
      this.index.push(status === 'good' ? `V\t${expiry}\t\t${serial}\tunknown\t/CN=${emaid}/O=Test MO` : `R\t${expiry}\t250101000000Z\t${serial}\tunknown\t/CN=${emaid}/O=Test MO`);
    }
    const certFile = join(this.dir, `${name}.crt`);
    return { emaid, certFile, pem: readFileSync(certFile, 'utf8'), serial };
  }

  /** OCPP hash data of a contract certificate (as a station would send it), computed by openssl. */
  hashData(contract: Contract): { hashAlgorithm: 'SHA256'; issuerNameHash: string; issuerKeyHash: string; serialNumber: string; responderURL: string } {
    const text = openssl(['ocsp', '-sha256', '-issuer', 'mo-root.crt', '-cert', contract.certFile, '-req_text', '-no_nonce', '-reqout', '/dev/null'], this.dir);
    const field = (label: string) => new RegExp(`${label}: ([0-9A-F]+)`).exec(text)![1]!;
    return {
      hashAlgorithm: 'SHA256',
      issuerNameHash: field('Issuer Name Hash').toLowerCase(),
      issuerKeyHash: field('Issuer Key Hash').toLowerCase(),
      serialNumber: field('Serial Number').toLowerCase(),
      responderURL: this.ocspUrl,
    };
  }

  /** Starts `openssl ocsp` over the index of the contracts issued so far. */
  async startResponder(): Promise<void> {
    writeFileSync(join(this.dir, 'index.txt'), this.index.map((l) => `${l}\n`).join(''));
    const responder = spawn('openssl', ['ocsp', '-index', 'index.txt', '-port', String(this.port), '-rsigner', 'ocsp.crt', '-rkey', 'ocsp.key', '-CA', 'mo-root.crt', '-nmin', '10'], { cwd: this.dir, stdio: ['ignore', 'ignore', 'pipe'] });
    this.responder = responder;
    // Probing the port is no good: the responder exits on a malformed request and stalls on
    // an empty connection. It says when it listens.
    let said = '';
    responder.stderr.on('data', (chunk: Buffer) => { said += chunk.toString(); });
    await eventually(() => said.includes('waiting for OCSP client connections'), 5000, 'the OCSP responder did not start');
  }

  stopResponder(): void {
    this.responder?.kill('SIGKILL');
    this.responder = undefined;
  }
}

/** The gateway's pnc configuration for tests: the dev PKI's sub-CAs, the MO root, quick retries. */
export function pncConfig(pki: DevPkiFiles, mo: MoPki, backendUrl: string) {
  return {
    enabled: true,
    organization: 'ACME CPO',
    allowInsecureProfiles: true,
    ca: { chargingStation: { ...pki.csoSubCa, chainFile: '' }, v2g: { ...pki.v2gSubCa, chainFile: '' } },
    certificateSigned: { attempts: 3, retrySec: 0.2 },
    ocsp: { enabled: true, timeoutSec: 3 },
    contractBackend: { url: backendUrl, token: '', timeoutSec: 1 },
    moRootFiles: [mo.rootFile],
  };
}
