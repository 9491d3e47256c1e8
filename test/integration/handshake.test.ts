// The WebSocket handshake: identities, security profiles 1-3, subprotocols, replacement.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { request, type IncomingMessage } from 'node:http';
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { BOOT_16, connectRpcClient, RawStation } from '../helpers/clients.ts';
import { startTestGateway, tempDir, type TestGateway } from '../helpers/gateway.ts';
import { createTestPki, read, type TestPki } from '../helpers/pki.ts';

/** The HTTP status of a refused upgrade, or 101 when the WebSocket opened. */
async function handshakeStatus(url: string, protocols: string[], options: WebSocket.ClientOptions = {}): Promise<number> {
  const ws = new WebSocket(url, protocols, options);
  return new Promise((resolve, reject) => {
    ws.once('open', () => { ws.terminate(); resolve(101); });
    ws.once('unexpected-response', (_req, res) => { resolve(res.statusCode ?? 0); ws.terminate(); });
    ws.once('error', (err) => { if (!/Unexpected server response/.test(err.message)) reject(err); });
  });
}

const basic = (user: string, password: string | Buffer) =>
  ({ headers: { Authorization: 'Basic ' + Buffer.concat([Buffer.from(`${user}:`), Buffer.from(password)]).toString('base64') } });

describe('handshake and security profiles', () => {
  let gw: TestGateway;
  let pki: TestPki;
  let pkiDir: string;
  let wss: string;
  const HEX_KEY = '00112233445566778899aabbccddeeff0a0b0c0d'; // 20 bytes as 40 hex digits

  before(async () => {
    pkiDir = tempDir('cgw-pki-');
    pki = createTestPki(pkiDir);
    gw = await startTestGateway({
      ocpp: { tls: { enabled: true, keyFile: pki.serverKey, certFile: pki.serverCert, caFile: pki.caCert }, handshakeTimeoutSec: 1 },
      stations: {
        registration: 'closed',
        list: [
          { identity: 'P1', securityProfile: 1, password: 'correct horse battery' },
          { identity: 'P1-HEX', securityProfile: 1, password: HEX_KEY },
          { identity: 'P1-V16', securityProfile: 1, password: 'sixteen-only-pass', versions: ['ocpp1.6'] },
          { identity: 'P2', securityProfile: 2, password: 'tls and basic auth' },
          { identity: 'P3', securityProfile: 3 },
          { identity: 'CP 01/ä', securityProfile: 0 },
        ],
      },
    });
    wss = `wss://127.0.0.1:${gw.ocppTlsPort}${gw.config.ocpp.path}`;
  });
  after(async () => {
    await gw.cleanup();
    rmSync(pkiDir, { recursive: true, force: true });
  });

  it('profile 1: accepts the right password and refuses a wrong or missing one (ocpp-rpc)', async () => {
    const ok = await connectRpcClient(gw.url, 'P1', 'ocpp1.6', { password: 'correct horse battery' });
    assert.equal((await ok.call('BootNotification', BOOT_16)).status, 'Accepted');
    await ok.close();
    await assert.rejects(connectRpcClient(gw.url, 'P1', 'ocpp1.6', { password: 'wrong' }), /Unauthorized/);
    await assert.rejects(connectRpcClient(gw.url, 'P1', 'ocpp1.6'), /Unauthorized/);
    // The basic-auth user must be the identity the station connects as.
    assert.equal(await handshakeStatus(`${gw.url}/P1`, ['ocpp1.6'], basic('P1-HEX', 'correct horse battery')), 401);
  });

  it('profile 1: a hex key is accepted as its text and as its decoded bytes, compared byte-exact', async () => {
    assert.equal(await handshakeStatus(`${gw.url}/P1-HEX`, ['ocpp1.6'], basic('P1-HEX', HEX_KEY)), 101);
    assert.equal(await handshakeStatus(`${gw.url}/P1-HEX`, ['ocpp1.6'], basic('P1-HEX', Buffer.from(HEX_KEY, 'hex'))), 101);
    const flipped = Buffer.from(HEX_KEY, 'hex');
    flipped[19] = flipped[19]! ^ 1;
    assert.equal(await handshakeStatus(`${gw.url}/P1-HEX`, ['ocpp1.6'], basic('P1-HEX', flipped)), 401);
    assert.equal(await handshakeStatus(`${gw.url}/P1-HEX`, ['ocpp1.6'], basic('P1-HEX', HEX_KEY.toUpperCase())), 401);
  });

  it('refuses unknown identities with 404 when registration is closed, and malformed ones with 400', async () => {
    assert.equal(await handshakeStatus(`${gw.url}/NOBODY`, ['ocpp1.6']), 404);
    assert.equal(await handshakeStatus(`${gw.url}/${'x'.repeat(49)}`, ['ocpp1.6']), 400);
    assert.equal(await handshakeStatus(`${gw.url}/a%3Ab`, ['ocpp1.6']), 400);
    assert.equal(await handshakeStatus(`${gw.url}/%E0%A4%A`, ['ocpp1.6']), 400);
    assert.equal(await handshakeStatus(`ws://127.0.0.1:${gw.ocppPort}/elsewhere/P1`, ['ocpp1.6']), 404);
  });

  it('takes the identity from the last percent-decoded path segment', async () => {
    const raw = await RawStation.connect(`${gw.url}/site-a/${encodeURIComponent('CP 01/ä')}`, 'ocpp1.6');
    const [type] = await raw.call('b1', 'BootNotification', BOOT_16);
    assert.equal(type, 3);
    assert.equal((await gw.service.state('CP 01/ä'))?.status, 'Accepted');
    raw.close();
  });

  it('negotiates the subprotocol from the station allow-list and closes when none is acceptable', async () => {
    const v16 = await RawStation.connect(`${gw.url}/P1-V16`, ['ocpp2.0.1', 'ocpp1.6'], basic('P1-V16', 'sixteen-only-pass'));
    assert.equal(v16.ws.protocol, 'ocpp1.6');
    v16.close();
    // ws clients refuse such a handshake themselves, so this one is done by hand.
    const req = request(`${gw.url.replace(/^ws:/, "http:")}/P1-V16`, {
      headers: {
        ...basic('P1-V16', 'sixteen-only-pass').headers,
        Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'), 'Sec-WebSocket-Protocol': 'ocpp2.0.1',
      },
    });
    req.end();
    const [res, socket, head] = (await once(req, 'upgrade')) as [IncomingMessage, Socket, Buffer];
    assert.equal(res.statusCode, 101, 'the handshake completes');
    assert.equal(res.headers['sec-websocket-protocol'], undefined, 'without a subprotocol');
    const frame = head.length ? head : ((await once(socket, 'data')) as [Buffer])[0];
    assert.equal(frame[0], 0x88, 'then the server sends a close frame');
    assert.equal(frame.readUInt16BE(2), 1002);
    socket.destroy();
  });

  it('profile 2: requires TLS, then basic auth', async () => {
    assert.equal(await handshakeStatus(`${gw.url}/P2`, ['ocpp1.6'], basic('P2', 'tls and basic auth')), 403);
    const ca = read(pki.caCert);
    assert.equal(await handshakeStatus(`${wss}/P2`, ['ocpp1.6'], { ca, ...basic('P2', 'wrong') }), 401);
    const cs = await connectRpcClient(wss, 'P2', 'ocpp2.0.1', { password: 'tls and basic auth', wsOpts: { ca } });
    assert.equal((await cs.call('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'm', vendorName: 'v' } })).status, 'Accepted');
    await cs.close();
  });

  it('profile 3: mutual TLS with the identity as certificate CN; no, foreign or mismatched certificates are refused', async () => {
    const ca = read(pki.caCert);
    const good = pki.client('P3');
    const cs = await connectRpcClient(wss, 'P3', 'ocpp1.6', { wsOpts: { ca, key: read(good.key), cert: read(good.cert) } });
    assert.equal((await cs.call('BootNotification', BOOT_16)).status, 'Accepted');
    await cs.close();
    assert.equal(await handshakeStatus(`${wss}/P3`, ['ocpp1.6'], { ca }), 403);
    const other = pki.client('P2');
    assert.equal(await handshakeStatus(`${wss}/P3`, ['ocpp1.6'], { ca, key: read(other.key), cert: read(other.cert) }), 403);
    const foreign = pki.foreignClient('P3');
    assert.equal(await handshakeStatus(`${wss}/P3`, ['ocpp1.6'], { ca, key: read(foreign.key), cert: read(foreign.cert) }), 403);
    // A profile 3 station never gets in over plain WebSocket.
    assert.equal(await handshakeStatus(`${gw.url}/P3`, ['ocpp1.6']), 403);
  });

  it('drops TLS clients that stall in the TLS handshake or after it, before their upgrade request', async () => {
    const dropped = (socket: Socket) => new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('still open after 10 s')), 10_000);
      socket.on('close', () => { clearTimeout(timer); resolve(); });
      socket.on('error', () => {});
      socket.resume();
    });
    const silent = connectTcp(gw.ocppTlsPort!, '127.0.0.1'); // not even a ClientHello
    const quiet = connectTls({ port: gw.ocppTlsPort!, host: '127.0.0.1', ca: read(pki.caCert), servername: 'localhost' });
    await once(quiet, 'secureConnect'); // TLS done, then no HTTP request at all
    await Promise.all([dropped(silent), dropped(quiet)]);
  });

  it('a new connection for an identity replaces the old one, which is closed', async () => {
    const first = await connectRpcClient(gw.url, 'P1', 'ocpp1.6', { password: 'correct horse battery' });
    await first.call('BootNotification', BOOT_16);
    const closed = once(first, 'close');
    const second = await connectRpcClient(gw.url, 'P1', 'ocpp1.6', { password: 'correct horse battery' });
    await closed;
    assert.ok(gw.ocpp.connection('P1')?.isActive);
    assert.ok((await second.call('Heartbeat', {})).currentTime);
    await second.close();
  });
});
