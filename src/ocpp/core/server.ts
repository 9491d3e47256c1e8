import type { FrameTap } from './frame-capture.ts';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../../log/logger.ts';
import { OcppConnection, type ConnectionContext, type InboundHandler, type OcppObserver } from './connection.ts';
import { ConnectionGate, type ConnectionLimits, type GateRefusal } from './connection-gate.ts';
import type { InboundLimits } from './inbound-guard.ts';
import { schemasFor, type SchemaIssue } from './schemas.ts';
import { PasswordCheck, type PasswordCheckLimits, type PasswordOutcome } from './password-check.ts';
import { identityProblem, type StationDirectory, type StationPolicy } from './stations.ts';
import { parseBasicAuth } from './passwords.ts';
import { StationConnections } from './station-connections.ts';
import { KeepAlive } from './keep-alive.ts';
import { TurnAdmission } from './turn-admission.ts';
import { OCPP_VERSIONS, isOcppVersion, type OcppVersion } from './version.ts';

/** How one OCPP version's messages reach the rest of the gateway. */
export interface VersionAdapter {
  handle: InboundHandler;
  handledActions: ReadonlySet<string>;
  /** Actions never answered with a CALLERROR for our own failure (transaction messages). */
  transactionActions: ReadonlySet<string>;
}

export interface TlsOptions {
  port: number;
  key: string | Buffer;
  cert: string | Buffer;
  /** CA certificates that sign station client certificates (security profile 3). */
  ca?: string | Buffer;
}

export interface OcppServerOptions {
  host: string;
  /** Plain WebSocket port (profiles 0 and 1); 0 picks a free port. */
  port: number;
  /** Path prefix; the station identity is the last path segment below it. */
  path: string;
  tls?: TlsOptions;
  directory: StationDirectory;
  adapters: Record<OcppVersion, VersionAdapter>;
  maxPayloadBytes: number;
  pingIntervalMs: number;
  callTimeoutMs: number;
  /** Rate and bad-message limits per station connection. */
  limits: InboundLimits;
  /** Station frames taken up per event-loop turn across all connections (TurnAdmission). */
  framesPerTurn: number;
  /** A TLS handshake or an HTTP upgrade request not complete within this is dropped (slowloris). */
  handshakeTimeoutMs: number;
  /** Caps on sockets, checked before a byte is read. */
  connectionLimits: ConnectionLimits;
  /** A socket was refused by a connection cap. */
  onConnectionRefused?: (reason: GateRefusal) => void;
  /** Open registration: whether an identity that is not listed may connect (a reason when not). */
  admitUnlisted?: (identity: string) => string | undefined;
  /** Basic-auth throttling (defaults in PasswordCheck). */
  passwordLimits?: Partial<PasswordCheckLimits>;
  /** Each basic-auth check's outcome (for a metric). */
  onPasswordCheck?: (outcome: PasswordOutcome) => void;
  log: Logger;
  /** Where live connections are kept (shared with the parts that send to stations). */
  connections?: StationConnections;
  onConnect?: (connection: OcppConnection) => void;
  onDisconnect?: (connection: OcppConnection) => void;
  onDeviation?: (identity: string, action: string, issues: SchemaIssue[]) => void;
  observer?: OcppObserver;
  /** Frames of the stations an operator captures. */
  frames?: FrameTap;
  /**
   * Plain HTTP(S) requests to the endpoint (no upgrade): the node's file transfers (firmware
   * downloads, log uploads), answered when it takes the path (true), else 426.
   */
  files?: (req: IncomingMessage, res: ServerResponse, transfer: FileTransferSocket) => boolean;
  /** How long a file transfer's request may take in all (its body included). */
  fileRequestTimeoutMs?: number;
}

export type Transport = 'ws' | 'wss';

/** What the file routes may do with the socket of a transfer they take. */
export interface FileTransferSocket {
  transport: Transport;
  /** A transfer under way no longer counts as a socket waiting for its upgrade (it still counts in all). */
  taken(): void;
}

// What the upgrade check learned, for handleProtocols and the connection handler.
interface Admission {
  policy: StationPolicy;
  transport: Transport;
}

const HTTP_REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  503: 'Service Unavailable',
};

/**
 * The OCPP-J endpoint: one path, both subprotocols, security profiles 1-3 checked before
 * the upgrade, one live connection per identity (a new one replaces the old).
 */
export class OcppServer {
  private readonly opts: OcppServerOptions;
  private readonly wss: WebSocketServer;
  private readonly servers: { server: Server; transport: Transport }[] = [];
  private readonly admissions = new WeakMap<IncomingMessage, Admission>();
  private readonly live: StationConnections;
  private generation = 0;
  private accepting = true;
  private suspended: string | undefined;
  private readonly deviationCounts = new Map<string, number>();
  private readonly gate: ConnectionGate;
  private readonly passwords: PasswordCheck;
  private readonly admission: TurnAdmission;
  private readonly keepAlive: KeepAlive<OcppConnection>;
  private readonly contexts = new Map<OcppVersion, ConnectionContext>();
  private refusalsLogged = 0;

  constructor(opts: OcppServerOptions) {
    this.opts = opts;
    this.live = opts.connections ?? new StationConnections();
    this.passwords = new PasswordCheck(opts.passwordLimits);
    this.admission = new TurnAdmission(opts.framesPerTurn);
    this.keepAlive = new KeepAlive(opts.pingIntervalMs);
    this.gate = new ConnectionGate(opts.connectionLimits, (reason, address) => {
      opts.onConnectionRefused?.(reason);
      // A flood would flood the log too: the first refusals are logged, then one in a thousand.
      if (this.refusalsLogged++ < 20 || this.refusalsLogged % 1000 === 0) {
        opts.log.warn('connection refused: over a connection cap', { reason, address, refused: this.refusalsLogged, ...this.gate.counts });
      }
    });
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: opts.maxPayloadBytes,
      // 2.0.1 requires permessage-deflate. No context takeover keeps a station's idle
      // memory small (no 32 KiB zlib window held per socket).
      perMessageDeflate: { threshold: 1024, serverNoContextTakeover: true, clientNoContextTakeover: true },
      handleProtocols: (offered, req) => this.chooseProtocol(offered, req),
    });
    // A client that holds a socket open without completing its upgrade request (or its TLS
    // handshake) is dropped after the handshake timeout: a slow opener cannot pin sockets. An
    // upgrade request is all headers; only a file transfer has a body, read when its URL is valid.
    const slowOpeners = {
      headersTimeout: opts.handshakeTimeoutMs,
      requestTimeout: Math.max(opts.handshakeTimeoutMs + 1, opts.files ? opts.fileRequestTimeoutMs ?? 600_000 : 0),
      connectionsCheckingInterval: Math.min(1_000, opts.handshakeTimeoutMs),
    };
    const request = (transport: Transport) => (req: IncomingMessage, res: ServerResponse): void => {
      if (opts.files?.(req, res, { transport, taken: () => this.gate.upgraded(tcpSocketOf(req)) })) return;
      res.writeHead(426, { Connection: 'close' }).end('OCPP-J endpoint: upgrade to WebSocket\n');
    };
    const plain = createHttpServer(slowOpeners, request('ws'));
    this.servers.push({ server: plain, transport: 'ws' });
    if (opts.tls) {
      const secure = createHttpsServer({
        ...slowOpeners,
        handshakeTimeout: opts.handshakeTimeoutMs,
        key: opts.tls.key,
        cert: opts.tls.cert,
        ...(opts.tls.ca ? { ca: opts.tls.ca } : {}),
        requestCert: true,
        // Client certificates are checked per station (profile 3) after the TLS handshake.
        rejectUnauthorized: false,
        minVersion: 'TLSv1.2',
      }, request('wss'));
      this.servers.push({ server: secure, transport: 'wss' });
    }
    for (const { server, transport } of this.servers) {
      // For the TLS listener this is the raw TCP socket, before the handshake: counted too.
      server.on('connection', (socket: Socket) => { this.gate.admit(socket); });
      server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head, transport));
      server.on('clientError', (_err, socket) => socket.destroy());
    }
  }

  async listen(): Promise<{ port: number; tlsPort?: number }> {
    const ports: number[] = [];
    for (const [i, { server }] of this.servers.entries()) {
      const port = i === 0 ? this.opts.port : this.opts.tls!.port;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, this.opts.host, () => { server.off('error', reject); resolve(); });
      });
      ports.push((server.address() as AddressInfo).port);
    }
    return { port: ports[0]!, ...(ports[1] !== undefined ? { tlsPort: ports[1] } : {}) };
  }

  /** The live connection of a station, if it is connected. */
  connection(identity: string): OcppConnection | undefined {
    return this.live.get(identity);
  }

  /** Sockets open now (upgraded or not) and those still before their upgrade. */
  get socketCounts(): { total: number; pending: number } {
    return this.gate.counts;
  }

  /** Connected stations by negotiated version. */
  connectionsByVersion(): Record<OcppVersion, number> {
    return this.live.byVersion();
  }

  /** All tolerated deviations so far, by station and action. */
  allDeviations(): { identity: string; action: string; count: number }[] {
    return [...this.deviationCounts].map(([key, count]) => {
      const [identity = '', action = ''] = key.split('\u0000');
      return { identity, action, count };
    });
  }

  /** Schema deviations tolerated under the lenient policy, by action ("Action" or "Action.conf"). */
  deviations(identity: string): Record<string, number> {
    const out: Record<string, number> = {};
    const prefix = `${identity}\u0000`;
    for (const [key, count] of this.deviationCounts) if (key.startsWith(prefix)) out[key.slice(prefix.length)] = count;
    return out;
  }

  /**
   * Stops accepting stations, lets the station CALLs being handled finish (so what was
   * committed is also answered; at most `graceMs`), then closes every connection and the listeners.
   */
  async close(graceMs = 5_000): Promise<void> {
    this.accepting = false;
    const deadline = Date.now() + graceMs;
    while (this.live.all().some((c) => c.handling > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const connection of this.live.all()) connection.close(1001, 'central system shutting down');
    for (const client of this.wss.clients) client.terminate();
    this.keepAlive.stop();
    await Promise.all(this.servers.map(({ server }) => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    })));
  }

  /**
   * Takes no more stations (503 with the reason) and closes the connected ones (1011): a
   * station keeps what it could not deliver and sends it once a working node takes it again.
   */
  suspend(reason: string): void {
    this.suspended = reason;
    for (const connection of this.live.all()) connection.close(1011, reason.slice(0, 120));
  }

  /** Takes stations again (after suspend). */
  resume(): void {
    this.suspended = undefined;
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, transport: Transport): void {
    this.admit(req, transport).then((outcome) => {
      if (socket.destroyed) return;
      if ('status' in outcome) {
        this.logRefusal(outcome, req, transport);
        const extra = outcome.status === 401 ? 'WWW-Authenticate: Basic realm="ocpp"\r\n' : outcome.status === 429 ? 'Retry-After: 60\r\n' : '';
        // The reason goes to the station too (an installer reads it in the charger's log).
        const body = Buffer.from(`${outcome.reason}\n`);
        socket.end(`HTTP/1.1 ${outcome.status} ${HTTP_REASONS[outcome.status]}\r\n${extra}Content-Type: text/plain; charset=utf-8\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n${body.toString()}`);
        return;
      }
      this.admissions.set(req, outcome);
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws, req));
    }, (err: unknown) => {
      this.opts.log.error('could not check a station connection', { url: req.url, err });
      socket.destroy();
    });
  }

  /** Refusals are logged, but a flood of them (wrong passwords, throttled) only sampled. */
  private logRefusal(refusal: { status: number; reason: string }, req: IncomingMessage, transport: Transport): void {
    const flood = refusal.status === 401 || refusal.status === 429;
    if (flood && this.refusalsLogged++ >= 20 && this.refusalsLogged % 1000 !== 0) return;
    this.opts.log.warn('refused station connection', { status: refusal.status, reason: refusal.reason, url: req.url, transport, address: req.socket.remoteAddress });
  }

  /** The handshake rules of OCPP-RULES.md; returns the admission or why not. */
  private async admit(req: IncomingMessage, transport: Transport): Promise<Admission | { status: number; reason: string }> {
    if (!this.accepting) return { status: 403, reason: 'shutting down' };
    if (this.suspended) return { status: 503, reason: this.suspended };
    const path = new URL(req.url ?? '/', 'http://station').pathname;
    const prefix = this.opts.path.replace(/\/+$/, '') + '/';
    if (!path.startsWith(prefix)) return { status: 404, reason: `path is not under ${prefix}` };
    let identity: string;
    try {
      identity = decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
    } catch {
      return { status: 400, reason: 'identity is not valid percent-encoding' };
    }
    const problem = identityProblem(identity);
    if (problem) return { status: 400, reason: problem };
    const policy = this.opts.directory.lookup(identity);
    if (!policy) return { status: 404, reason: `unknown station ${identity}` };
    if (!this.opts.directory.isListed(identity)) {
      const refusal = this.opts.admitUnlisted?.(identity);
      if (refusal) return { status: 403, reason: refusal };
    }

    const profile = policy.securityProfile;
    if (profile >= 2 && transport !== 'wss') return { status: 403, reason: `${identity} must use TLS (security profile ${profile})` };
    if (profile === 3) {
      const tls = req.socket as TLSSocket;
      if (!tls.authorized) return { status: 403, reason: `client certificate missing or not trusted: ${String(tls.authorizationError ?? 'none sent')}` };
      const cn = tls.getPeerCertificate().subject?.CN;
      if (cn !== identity) return { status: 403, reason: `client certificate CN ${String(cn)} is not ${identity}` };
    }
    if (profile === 1 || profile === 2) {
      const auth = parseBasicAuth(req.headers.authorization);
      if (!auth) return { status: 401, reason: 'basic authentication required' };
      if (auth.user !== identity) return { status: 401, reason: 'basic auth user is not the station identity' };
      const outcome = await this.passwords.check({ identity, address: req.socket.remoteAddress ?? '', password: auth.password, hashes: policy.passwordHashes });
      this.opts.onPasswordCheck?.(outcome);
      if (outcome === 'throttled') return { status: 429, reason: 'too many wrong passwords from this address or for this station; wait' };
      if (outcome === 'wrong') return { status: 401, reason: 'wrong password' };
    }
    return { policy, transport };
  }

  /** The first subprotocol the station offers that it is allowed; false completes the handshake without one. */
  private chooseProtocol(offered: Set<string>, req: IncomingMessage): string | false {
    const allowed = this.admissions.get(req)?.policy.versions ?? OCPP_VERSIONS;
    for (const protocol of offered) {
      if (isOcppVersion(protocol) && allowed.includes(protocol)) return protocol;
    }
    return false;
  }

  /** How many connections the keep-alive pings (each open one once). */
  get keptAlive(): number {
    return this.keepAlive.size;
  }

  /** What every connection of `version` shares (made once). */
  private contextFor(version: OcppVersion): ConnectionContext {
    const made = this.contexts.get(version);
    if (made) return made;
    const adapter = this.opts.adapters[version];
    const context: ConnectionContext = {
      version,
      schemas: schemasFor(version),
      callTimeoutMs: this.opts.callTimeoutMs,
      limits: this.opts.limits,
      admission: this.admission,
      handler: adapter.handle,
      handledActions: adapter.handledActions,
      noErrorOnInternalFailure: adapter.transactionActions,
      ...(this.opts.observer ? { observer: this.opts.observer } : {}),
      ...(this.opts.frames ? { frames: this.opts.frames } : {}),
      onDeviation: (connection, action, issues) => {
        this.opts.log.warn('schema deviation tolerated', { station: connection.identity, generation: connection.generation, action, issues: issues.map((i) => i.message) });
        const key = `${connection.identity}\u0000${action}`;
        this.deviationCounts.set(key, (this.deviationCounts.get(key) ?? 0) + 1);
        this.opts.onDeviation?.(connection.identity, action, issues);
      },
      onClosed: (connection, code, reason) => {
        this.live.remove(connection);
        this.keepAlive.remove(connection);
        this.opts.log.info('station disconnected', { station: connection.identity, code, reason: reason.toString(), generation: connection.generation });
        this.opts.onDisconnect?.(connection);
      },
    };
    this.contexts.set(version, context);
    return context;
  }

  private onSocket(ws: WebSocket, req: IncomingMessage): void {
    this.gate.upgraded(tcpSocketOf(req));
    const admission = this.admissions.get(req)!;
    const { identity } = admission.policy;
    const log = this.opts.log.child({ station: identity });
    if (!isOcppVersion(ws.protocol)) {
      log.warn('no acceptable OCPP subprotocol offered; closing', { offered: req.headers['sec-websocket-protocol'] });
      ws.close(1002, 'no acceptable OCPP subprotocol');
      return;
    }
    const version = ws.protocol;
    const connection = new OcppConnection(ws, this.contextFor(version), {
      identity,
      generation: ++this.generation,
      policy: admission.policy.validation,
      rejected: admission.policy.registration === 'Rejected',
      ...(req.headers.host && /^[A-Za-z0-9.:[\]-]{1,300}$/.test(req.headers.host) ? { httpOrigin: `${admission.transport === 'wss' ? 'https' : 'http'}://${req.headers.host}` } : {}),
      log: log.child({ generation: this.generation }),
    });
    const previous = this.live.set(connection);
    if (previous) {
      log.info('new connection replaces the previous one', { previousGeneration: previous.generation });
      previous.replace();
    }
    this.keepAlive.add(connection);
    log.info('station connected', { version, transport: admission.transport, profile: admission.policy.securityProfile, generation: connection.generation });
    this.opts.onConnect?.(connection);
  }
}

/** The TCP socket the gate counted: a TLS socket wraps it (its _parent). */
function tcpSocketOf(req: IncomingMessage): Socket {
  return (req.socket as Socket & { _parent?: Socket })._parent ?? req.socket;
}
