import { randomBytes, webcrypto } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toPem, x509, type X509Certificate } from '../src/pnc/x509.ts';

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

interface Made {
  certificate: X509Certificate;
  keys: webcrypto.CryptoKeyPair;
}

/** The files of a development hierarchy, as the config refers to them. */
export interface DevPkiFiles {
  dir: string;
  v2gRoot: string;
  v2gSubCa: { certFile: string; keyFile: string };
  csmsRoot: string;
  csoSubCa: { certFile: string; keyFile: string };
  moRoot: { certFile: string; keyFile: string };
  server: { certFile: string; keyFile: string };
}

function serial(): string {
  const bytes = randomBytes(12);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString('hex');
}

async function make(name: string, issuer: Made | undefined, opts: { ca: boolean; pathLength?: number; days: number; extensions?: x509.Extension[] }): Promise<Made> {
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair;
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(Date.now() + opts.days * 86_400_000);
  const usage = opts.ca ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign : x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement;
  const extensions = [
    new x509.BasicConstraintsExtension(opts.ca, opts.pathLength, true),
    new x509.KeyUsagesExtension(usage, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ...(issuer ? [await x509.AuthorityKeyIdentifierExtension.create(issuer.certificate)] : []),
    ...(opts.extensions ?? []),
  ];
  const certificate = issuer
    ? await x509.X509CertificateGenerator.create({
      serialNumber: serial(), subject: name, issuer: issuer.certificate.subject, notBefore, notAfter,
      publicKey: keys.publicKey, signingKey: issuer.keys.privateKey, signingAlgorithm: ALGORITHM, extensions,
    })
    : await x509.X509CertificateGenerator.createSelfSigned({ serialNumber: serial(), name, notBefore, notAfter, keys, signingAlgorithm: ALGORITHM, extensions });
  return { certificate, keys };
}

async function write(dir: string, base: string, made: Made): Promise<{ certFile: string; keyFile: string }> {
  const certFile = join(dir, `${base}.crt`);
  const keyFile = join(dir, `${base}.key`);
  writeFileSync(certFile, toPem(made.certificate));
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', made.keys.privateKey));
  writeFileSync(keyFile, `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END PRIVATE KEY-----\n`, { mode: 0o600 });
  return { certFile, keyFile };
}

/**
 * A development PKI for Plug & Charge, in the shape ISO 15118 expects: a V2G root with a
 * CPO sub-CA (signs SECC certificates), a CSMS root with a CSO sub-CA (signs station
 * certificates), a mobility-operator root for test contracts, and a TLS server certificate
 * for this gateway. Never for production: the keys are generated on this machine.
 */
export async function createDevPki(dir: string, cpo: string): Promise<DevPkiFiles> {
  if (existsSync(join(dir, 'v2g-root.crt'))) throw new Error(`${dir} already holds a PKI; refusing to overwrite it`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const v2gRoot = await make(`CN=${cpo} V2G Root CA (development), O=${cpo}`, undefined, { ca: true, pathLength: 2, days: 3650 });
  const v2gSub = await make(`CN=${cpo} CPO Sub-CA (development), O=${cpo}`, v2gRoot, { ca: true, pathLength: 0, days: 1825 });
  const csmsRoot = await make(`CN=${cpo} CSMS Root CA (development), O=${cpo}`, undefined, { ca: true, pathLength: 1, days: 3650 });
  const csoSub = await make(`CN=${cpo} CSO Sub-CA (development), O=${cpo}`, csmsRoot, { ca: true, pathLength: 0, days: 1825 });
  const moRoot = await make(`CN=MO Root CA (development), O=${cpo}`, undefined, { ca: true, pathLength: 1, days: 3650 });
  const server = await make('CN=localhost', csmsRoot, {
    ca: false, days: 825,
    extensions: [
      new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'localhost' }, { type: 'ip', value: '127.0.0.1' }]),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    ],
  });
  return {
    dir,
    v2gRoot: (await write(dir, 'v2g-root', v2gRoot)).certFile,
    v2gSubCa: await write(dir, 'v2g-sub-ca', v2gSub),
    csmsRoot: (await write(dir, 'csms-root', csmsRoot)).certFile,
    csoSubCa: await write(dir, 'cso-sub-ca', csoSub),
    moRoot: await write(dir, 'mo-root', moRoot),
    server: await write(dir, 'server', server),
  };
}
