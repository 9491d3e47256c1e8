// @peculiar/x509 resolves its algorithm providers through tsyringe, which needs the Reflect
// metadata polyfill loaded first; every X.509 use in the gateway goes through this module.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export { x509 };
export type X509Certificate = x509.X509Certificate;

/** A certificate given as PEM (one block) or DER. Throws a clear error on anything else. */
export function parseCertificate(input: string | Uint8Array): x509.X509Certificate {
  try {
    return new x509.X509Certificate(typeof input === 'string' ? input : Buffer.from(input));
  } catch (err) {
    throw new Error(`not an X.509 certificate: ${(err as Error).message}`);
  }
}

/** Every certificate of a PEM bundle, in order. */
export function parseChain(pem: string): x509.X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (!blocks.length) throw new Error('no PEM certificate found');
  return blocks.map((block) => parseCertificate(block));
}

/** PEM ending in a newline, so that blocks can be concatenated into a bundle. */
export function toPem(cert: x509.X509Certificate): string {
  return `${cert.toString('pem').trimEnd()}\n`;
}

/** The attribute values of a distinguished name, e.g. valuesOf(cert.subjectName, 'CN'). */
export function nameValues(name: x509.Name, attribute: string): string[] {
  return name.getField(attribute);
}
