// The operator's Plug & Charge path from a terminal: `pki init` makes a PKI and prints the
// config; a node started with it (the real CLI, TLS on) serves a 2.0.1 station; the
// `certificates` commands install, list and delete a root on that station.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { BOOT_201, connectRpcClient } from '../helpers/clients.ts';
import { tempDir } from '../helpers/gateway.ts';
import { freePort } from '../helpers/net.ts';
import { openssl } from '../helpers/pnc-pki.ts';
import { spawnGateway, type GatewayProcess } from '../helpers/process.ts';

const CLI = fileURLToPath(new URL('../../gateway/cli.ts', import.meta.url));
// Async: the gateway child must keep serving while a CLI command runs.
const cli = (...args: string[]) => promisify(execFile)(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 30_000 });

describe('charging-gateway pki / certificates (CLI)', () => {
  let dir: string;
  let configFile: string;
  let gateway: GatewayProcess;
  let station: any;
  const installed: string[] = [];

  before(async () => {
    dir = tempDir('cgw-pki-cli-');
    const init = JSON.parse((await cli('pki', 'init', join(dir, 'pki'), '--cpo', 'ACME CPO')).stdout);
    const config = init.config;
    config.dataDir = join(dir, 'data');
    config.ocpp.tls.port = 0;
    config.pnc.allowInsecureProfiles = true; // the test station connects without TLS (profile 0)
    config.admin = { port: await freePort() };
    configFile = join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify(config));
    gateway = await spawnGateway({ CGW_CONFIG: configFile, CGW_ADMIN_PORT: String(config.admin.port) });
    assert.ok(gateway.output.some((l) => l.includes('Plug & Charge enabled') && l.includes('"ca":"local"')), 'the node signs with the PKI');
    station = await connectRpcClient(gateway.ocppUrl, 'CLI-PNC', 'ocpp2.0.1');
    station.handle('InstallCertificate', ({ params }: any) => { installed.push(params.certificate); return { status: 'Accepted' }; });
    station.handle('DeleteCertificate', () => { installed.pop(); return { status: 'Accepted' }; });
    station.handle(() => ({}));
    await station.call('BootNotification', BOOT_201);
  });
  after(async () => {
    await station?.close({ force: true });
    await gateway?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('installs, lists and deletes a root certificate on a station', async () => {
    const root = join(dir, 'pki', 'v2g-root.crt');
    const install = JSON.parse((await cli('certificates', 'install', 'CLI-PNC', 'V2GRootCertificate', root, '--config', configFile)).stdout);
    assert.equal(install.result.status, 'Accepted');
    assert.equal(openssl(['x509', '-noout', '-fingerprint'], dir, installed[0]), openssl(['x509', '-noout', '-fingerprint', '-in', root], dir));
    const list = JSON.parse((await cli('certificates', 'list', 'CLI-PNC', '--config', configFile)).stdout);
    assert.equal(list.length, 1);
    assert.equal(list[0].certificateType, 'V2GRootCertificate');
    assert.match(list[0].subject, /V2G Root CA/);
    const removed = JSON.parse((await cli('certificates', 'delete', 'CLI-PNC', list[0].id, '--config', configFile)).stdout);
    assert.equal(removed.result.status, 'Accepted');
    assert.deepEqual(JSON.parse((await cli('certificates', 'list', 'CLI-PNC', '--config', configFile)).stdout), []);
    await assert.rejects(cli('certificates', 'delete', 'CLI-PNC', list[0].id, '--config', configFile), /no certificate/);
  });
});
