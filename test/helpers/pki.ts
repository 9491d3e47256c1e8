import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestPki {
  dir: string;
  caCert: string;
  serverKey: string;
  serverCert: string;
  /** Paths of a client key/cert whose CN is the given identity, signed by the test CA. */
  client(cn: string): { key: string; cert: string };
  /** A client certificate from a CA the server does not trust. */
  foreignClient(cn: string): { key: string; cert: string };
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

function makeCa(dir: string, name: string): void {
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
    '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.crt`], dir);
}

function issue(dir: string, ca: string, name: string, cn: string, ext: string): void {
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${cn}`,
    '-keyout', `${name}.key`, '-out', `${name}.csr`], dir);
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial',
    '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.crt`], dir);
}

/** A CA, a server certificate for 127.0.0.1/localhost, and client certificates on demand, made by openssl. */
export function createTestPki(dir: string): TestPki {
  makeCa(dir, 'ca');
  makeCa(dir, 'foreign-ca');
  issue(dir, 'ca', 'server', 'localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  let n = 0;
  const client = (ca: string) => (cn: string) => {
    const name = `client-${n++}`;
    issue(dir, ca, name, cn, 'extendedKeyUsage=clientAuth\n');
    return { key: join(dir, `${name}.key`), cert: join(dir, `${name}.crt`) };
  };
  return {
    dir,
    caCert: join(dir, 'ca.crt'),
    serverKey: join(dir, 'server.key'),
    serverCert: join(dir, 'server.crt'),
    client: client('ca'),
    foreignClient: client('foreign-ca'),
  };
}

export const read = (path: string): Buffer => readFileSync(path);
