// A node that cannot start (a port taken) must say why and exit, leaving nothing running:
// under systemd or Docker a process that hangs after a failed start is never restarted.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { startGateway } from '../../gateway/node.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { tempDir, testConfig } from '../helpers/gateway.ts';
import { createTestPki } from '../helpers/pki.ts';

const CLI = fileURLToPath(new URL('../../gateway/cli.ts', import.meta.url));

async function takenPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as { port: number }).port, server };
}

/** A port nothing listens on: the chain client keeps trying it (a chain that is down). */
async function closedPort(): Promise<number> {
  const { port, server } = await takenPort();
  server.close();
  return port;
}

describe('a node that cannot start', () => {
  const dirs: string[] = [];
  const servers: Server[] = [];
  after(() => {
    for (const s of servers) s.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  for (const taken of ['CGW_OCPP_PORT', 'CGW_ADMIN_PORT'] as const) {
    it(`exits with code 1 and the reason when ${taken} is in use, with a chain and p2p configured (seen: it hung with the chain client running)`, async () => {
      const dataDir = tempDir('cgw-startfail-');
      dirs.push(dataDir);
      const { port, server } = await takenPort();
      servers.push(server);
      const child = spawn(process.execPath, [CLI, 'start'], {
        env: {
          ...process.env, CGW_DATA_DIR: dataDir, CGW_OCPP_HOST: '127.0.0.1', CGW_OCPP_PORT: '0', CGW_ADMIN_PORT: '0',
          CGW_P2P_LISTEN: '["/ip4/127.0.0.1/tcp/0"]', CGW_CHAIN_ENDPOINT: `ws://127.0.0.1:${await closedPort()}`, CGW_LOG_LEVEL: 'warn',
          [taken]: String(port),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (c: Buffer) => { output += c.toString(); });
      child.stderr.on('data', (c: Buffer) => { output += c.toString(); });
      const exited = once(child, 'exit');
      const hung = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const [code, signal] = await exited as [number | null, string | null];
      clearTimeout(hung);
      assert.equal(signal, null, `still running 30 s after the failed start (killed):\n${output}`);
      assert.equal(code, 1, output);
      assert.match(output, new RegExp(`${taken === 'CGW_OCPP_PORT' ? 'OCPP server' : 'admin server'} failed to start: .*EADDRINUSE.*${port}`), output);
    });
  }

  it('closes the plain OCPP port it bound when the TLS port is taken (seen: the listener kept the process alive)', async () => {
    const dataDir = tempDir('cgw-startfail-');
    dirs.push(dataDir);
    const pkiDir = tempDir('cgw-startfail-pki-');
    dirs.push(pkiDir);
    const pki = createTestPki(pkiDir);
    const { port: tlsPort, server } = await takenPort();
    servers.push(server);
    const plainPort = await closedPort();
    const tls = { enabled: true, port: tlsPort, keyFile: pki.serverKey, certFile: pki.serverCert };
    await assert.rejects(startGateway(testConfig({ ocpp: { port: plainPort, tls } }, dataDir), silentLogger), /OCPP server failed to start: .*EADDRINUSE/);
    // The plain port is free again: nothing of the failed start holds it.
    const probe = createServer();
    probe.listen(plainPort, '127.0.0.1');
    await once(probe, 'listening');
    probe.close();
  });

  it('stops what started before a configuration error found late (a TLS key file missing, p2p running)', async () => {
    const dataDir = tempDir('cgw-startfail-');
    dirs.push(dataDir);
    const tls = { enabled: true, keyFile: `${dataDir}/missing.key`, certFile: `${dataDir}/missing.crt` };
    const child = spawn(process.execPath, [CLI, 'start'], {
      env: {
        ...process.env, CGW_DATA_DIR: dataDir, CGW_OCPP_HOST: '127.0.0.1', CGW_OCPP_PORT: '0', CGW_ADMIN_PORT: '0', CGW_LOG_LEVEL: 'warn',
        CGW_P2P_LISTEN: '["/ip4/127.0.0.1/tcp/0"]', CGW_OCPP_TLS_ENABLED: 'true', CGW_OCPP_TLS_PORT: '0', CGW_OCPP_TLS_KEY_FILE: tls.keyFile, CGW_OCPP_TLS_CERT_FILE: tls.certFile,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stderr.on('data', (c: Buffer) => { output += c.toString(); });
    const hung = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const [code, signal] = await once(child, 'exit') as [number | null, string | null];
    clearTimeout(hung);
    assert.equal(signal, null, `still running 30 s after the failed start (killed):\n${output}`);
    assert.notEqual(code, 0, output);
    assert.match(output, /missing\.(key|crt)/, output);
  });

  it('leaves its storage closed after a failed start: the next start in the same folder works', async () => {
    const dataDir = tempDir('cgw-startfail-');
    dirs.push(dataDir);
    const { port, server } = await takenPort();
    servers.push(server);
    const config = testConfig({ admin: { enabled: true, port } }, dataDir);
    await assert.rejects(startGateway(config, silentLogger), /admin server failed to start: .*EADDRINUSE/);
    const node = await startGateway(testConfig({ admin: { enabled: true, port: 0 } }, dataDir), silentLogger);
    await node.stop();
  });
});
