import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ChargePointService } from '../src/domain/charge-point-service.ts';
import type { ChainClient } from '../chain/client.ts';
import type { Logger } from '../src/log/logger.ts';
import { priceSession } from '../src/domain/pricing.ts';
import { formatAmount } from '../src/domain/amounts.ts';
import { KeyedQueue } from '../src/domain/keyed-queue.ts';
import { KeyedSerialTasks } from '../src/serial-task.ts';
import { ChargingBridge } from '../src/app/charging-bridge.ts';
import { OperatorCommands } from '../src/app/operator-commands.ts';
import type { AdapterDeps } from '../src/ocpp/adapter-kit.ts';
import { StationConfiguration } from '../src/app/station-configuration.ts';
import { TransactionHistory } from '../src/app/transaction-history.ts';
import { OperatorTags } from '../src/app/operator-tags.ts';
import { principals } from './admin-auth.ts';
import { FrameCapture } from '../src/ocpp/core/frame-capture.ts';
import { Reservations } from '../src/app/reservations.ts';
import type { LocalListEntry } from '../src/app/station-link.ts';
import type { OperatorTag } from '../src/domain/tags.ts';
import type { OcppConnection } from '../src/ocpp/core/connection.ts';
import { LocalListSync } from '../src/app/local-list-sync.ts';
import { OcppServer, type OcppServerOptions } from '../src/ocpp/core/server.ts';
import { StationConnections } from '../src/ocpp/core/station-connections.ts';
import { BootDeadline } from '../src/ocpp/core/boot-deadline.ts';
import type { StationDirectory } from '../src/ocpp/core/stations.ts';
import type { LedgerRecords } from '../chain/deposit-ledger.ts';
import { Lifecycle } from './lifecycle.ts';
import { IdleCompaction, compactingCollection } from './idle-compaction.ts';
import { Listeners } from '../src/domain/listeners.ts';
import { systemClock, type Clock } from '../src/domain/clock.ts';
import { StationCommands } from '../src/ocpp/station-commands.ts';
import { createV16Adapter } from '../src/ocpp/v16/adapter.ts';
import { createV201Adapter } from '../src/ocpp/v201/adapter.ts';
import { LevelStore } from '../src/store/level-store.ts';
import type { Config } from './config/schema.ts';
import { adminApi } from './admin-api.ts';
import { dashboardAssets } from './dashboard/assets.ts';
import { sharedSnapshot } from './dashboard/snapshot.ts';
import { startAdminServer } from './admin-http.ts';
import { adminToken, adminTokenFile } from './admin-token.ts';
import { openApiDocument } from './openapi.ts';
import { PACKAGE_VERSION } from './version.ts';
import { prepareDataFolder } from './data-folder.ts';
import { fileRoutes } from './file-routes.ts';
import { fileUrls } from './file-urls.ts';
import { FirmwareUpdates } from '../src/app/firmware-updates.ts';
import { LogUploads } from '../src/app/log-uploads.ts';
import { FolderFileBlobs } from '../src/store/file-blobs.ts';
import { STORAGE_OPEN_FILES, stationSocketBudget } from './descriptors.ts';
import { createMetrics, type GatewayMetrics, type MetricSources } from './metrics.ts';
import { prepareEvents, startP2p, type RunningP2p } from './p2p.ts';
import { directoryFromConfig } from './stations.ts';
import { contractApi, startPnc } from './pnc.ts';
import type { PncStationHandlers } from '../src/ocpp/pnc-messages.ts';
import type { ConsumerApi } from '../src/p2p/consumer-api.ts';

/** A running gateway node: what the CLI, the tests and the benchmarks start and stop. */
export interface GatewayNode {
  ocppPort: number;
  ocppTlsPort?: number;
  adminPort?: number;
  service: ChargePointService;
  ocpp: OcppServer;
  store: LevelStore;
  commands: StationCommands;
  bridge: ChargingBridge;
  operator: OperatorCommands;
  configuration: StationConfiguration;
  /** The chain connection, when a chain is configured. */
  chain?: { client(): ChainClient | undefined };
  /** The libp2p peer, when enabled: its id and the addresses consumers dial. */
  p2p?: { peerId: string; multiaddrs: string[]; running: RunningP2p };
  /** The heap's compaction when the node is quiet; undefined when off or without --expose-gc. */
  memory?: IdleCompaction;
  stop(): Promise<void>;
}

// Frames kept per captured station (the newest).
const CAPTURED_FRAMES_PER_STATION = 500;
// How often storage is tried again after a failed write.
const STORAGE_RETRY_MS = 3_000;
// How often sessions whose wait was lost (restart) or whose authorization expired are ended.
const SWEEP_INTERVAL_MS = 30_000;

/** The composition root: the only place that knows every part and wires them together. */
export async function startGateway(config: Config, log: Logger, clock: Clock = systemClock): Promise<GatewayNode> {
  const parts = new Lifecycle(log);
  try {
    return await wireGateway(config, log, clock, parts);
  } catch (err) {
    // Whatever failed, in a part or between parts: nothing that started is left running.
    await parts.stop();
    throw err;
  }
}

async function chainModules() {
  const [{ startChain }, { gatewayAccount }, { startDidPublisher }] = await Promise.all([
    import('./chain.ts'), import('../chain/gateway-account.ts'), import('./did.ts'),
  ]);
  return { startChain, gatewayAccount, startDidPublisher };
}

async function wireGateway(config: Config, log: Logger, clock: Clock, parts: Lifecycle): Promise<GatewayNode> {
  const now = (): Date => clock.now();
  const dataDir = resolve(config.dataDir);
  prepareDataFolder(dataDir);
  const store = await parts.start('storage', () => LevelStore.open(resolve(dataDir, 'state'), { sync: config.storage.fsync, maxOpenFiles: STORAGE_OPEN_FILES, writeBufferBytes: config.storage.writeBufferMb * 2 ** 20 }), (s) => s.close());
  const events = config.p2p.enabled ? await parts.start('event signing', () => prepareEvents(config, store, log.child({ component: 'p2p' })), () => {}) : undefined;
  const settle = Boolean(config.chain.endpoint && events);
  const service = new ChargePointService({
    repository: store,
    // The operator's cards are read before any station is served (below).
    authorization: { acceptUnknownIdTags: config.ocpp.acceptUnknownIdTags, operatorTag: (idTag): OperatorTag | undefined => tags.lookup(idTag) },
    tariff: { ...config.tariff },
    now,
    ...(events ? { outbox: events.outbox } : {}),
    settle,
    reportQuota: {
      maxItemBytes: config.storage.reportMaxItemBytes,
      maxBytesPerStation: config.storage.reportBytesPerStation,
      onTruncated: (action) => metrics.reportTruncated(action),
      onDropped: () => metrics.reportDropped(),
    },
  });
  const stations = await parts.start('station states', () => service.warmUp(), () => {});
  const metricSources: MetricSources = { service, store };
  const metrics = createMetrics(metricSources);
  const directory = directoryFromConfig(config.stations);
  if (directory.openRegistration) {
    log.warn('OPEN REGISTRATION: any station identity may connect without credentials (security profile 0). Set stations.registration to "closed" and list your stations for production.');
  }

  // Filled by the OCPP server; read by everything that sends to stations.
  const connections = new StationConnections();
  const commands = new StationCommands((identity) => connections.get(identity));
  // Everything that spends a consumer's deposit (authorization, settlement) runs under that consumer's lock.
  const consumerLocks = new KeyedQueue();
  // The chain side (polkadot-js: about 2 s of module loading here, more than the rest of the
  // node together) loads only when a chain is configured.
  const chainSide = settle && events ? await chainModules() : undefined;
  const chain = chainSide && events
    ? await parts.start('chain', () => chainSide.startChain(config, events.key.publicKey, ledgerRecords(service, store), consumerLocks, log.child({ component: 'chain' })), (c) => c.stop())
    : undefined;
  const account = chainSide && events ? await parts.start('gateway account', () => chainSide.gatewayAccount(events.key.libp2pKey.raw.subarray(0, 32)), () => {}) : undefined;
  if (chain && account) {
    chain.startSettlement(account, store, (identity, r) => service.recordSettlement(identity, r));
    service.committed.settlement.on(() => chain.settlement?.nudge());
  }
  const localList = new LocalListSync({
    service, commands, defaultMaxLength: config.sessions.localListMaxLength, now, log: log.child({ component: 'local-list' }), operatorEntries: (): LocalListEntry[] => tags.entries(),
  });
  const tags = new OperatorTags({ records: store.tags, service, localList, commands, now, log: log.child({ component: 'tags' }) });
  await tags.load();
  const bridge = new ChargingBridge({
    service,
    commands,
    localList,
    startTimeoutMs: config.sessions.startTimeoutSec * 1000,
    stopTimeoutMs: config.sessions.stopTimeoutSec * 1000,
    authorizationTtlSec: config.sessions.authorizationTtlSec,
    maxReservationMinutes: config.sessions.maxReservationMinutes,
    reservationsWithoutDeposit: config.sessions.reservationsWithoutDeposit,
    maxPendingAuthorizations: config.sessions.maxPendingAuthorizations,
    ...(chain ? { deposit: chain.deposit } : {}),
    consumerLocks,
    now,
    priceOf: (energyWh, durationS) => priceSession(config.tariff, energyWh, durationS).total,
    formatAmount: (amount) => formatAmount(amount, config.tariff.decimals, config.tariff.currency),
    log: log.child({ component: 'bridge' }),
  });
  service.committed.sessionEvent.on((event) => bridge.onSessionEvent(event));
  const operator = new OperatorCommands({ service, commands, now, log: log.child({ component: 'operator' }) });
  const reservations = new Reservations({ service, commands, now });
  const frames = new FrameCapture({ maxFrames: CAPTURED_FRAMES_PER_STATION, now });
  const history = new TransactionHistory({ service, stations: store.stations, sessions: store.sessions });
  const configuration = new StationConfiguration({
    records: store.configurations, service, commands, keep: config.stations.configuration.keep, reportTimeoutMs: config.stations.configuration.reportTimeoutSec * 1000, now, log: log.child({ component: 'configuration' }),
  });
  const blobs = new FolderFileBlobs(resolve(dataDir, 'files'));
  const partial = await blobs.sweep();
  if (partial) log.info('removed files a crash left half written', { count: partial });
  const urls = fileUrls(config.files.publicUrl, (identity) => connections.get(identity)?.httpOrigin);
  const firmware = await parts.start('firmware', async () => {
    const f = new FirmwareUpdates({
      service, commands, records: store.firmware, blobs, urls, maxImageBytes: config.files.maxFirmwareBytes,
      updateTimeoutMs: config.files.firmwareTimeoutMin * 60_000, now, log: log.child({ component: 'firmware' }),
    });
    await f.start();
    return f;
  }, (f) => f.stop());
  const logs = new LogUploads({
    service, commands, records: store.logUploads, blobs, urls, maxFileBytes: config.files.maxLogBytes,
    bytesPerStation: config.files.logBytesPerStation, now, log: log.child({ component: 'logs' }),
  });
  const pnc = await parts.start('plug & charge', () => startPnc(config, { store, bridge, commands, directory, now }, log.child({ component: 'pnc' })), (p) => p.certificates.stop());
  const consumerApi: ConsumerApi = {
    authorize: (r) => bridge.authorize({ station: r.station, consumerKey: r.consumerKey, ...(r.budget === undefined ? {} : { budget: r.budget }) }),
    start: (r) => bridge.start(r),
    stop: (r) => bridge.stop(r),
    status: (r) => bridge.status(r),
    cancel: (r) => bridge.cancel(r),
    reserve: (r) => bridge.reserve(r),
    checkAvailability: (r) => bridge.checkAvailability(r),
    ...contractApi(pnc.registry),
  };
  const compatDeps = {
    connectedStations: () => connections.identities(),
    priceOf: (energyWh: number, durationS: number) => priceSession(config.tariff, energyWh, durationS).total.toString(),
  };
  const p2p = events
    ? await parts.start('p2p', () => startP2p(config, events.key, store, consumerApi, compatDeps, log.child({ component: 'p2p' })), (p) => p.stop())
    : undefined;
  if (p2p && events) {
    service.committed.outbox.on(() => p2p.publisher.nudge());
    // For what was committed before the listener was there (a drain stops at a short batch).
    p2p.publisher.nudge();
    events.outbox.audience(p2p.follows);
    const compat = p2p.compat;
    if (compat) {
      service.committed.sessionEvent.on((event) => {
        if (event.type === 'sessionEnded') compat.sessionEnded(event.session.consumerPublicKey);
        if (event.type === 'serviceDelivered') compat.serviceDelivered(event.session);
      });
    }
  }
  // A station accepted (or reconnected after being accepted): its list is reconciled, it is
  // announced on the DHT, and the DID document (started once the OCPP port is ours) lists it.
  const stationsReady = new Listeners<string>();
  const { readOnConnect, maxAgeHours } = config.stations.configuration;
  // Asks while a step runs fold into one more run after it: a station reconnecting again and
  // again is caught up once more, not once per connection. Both steps catch and log their own
  // failures; the handler is a backstop.
  const unexpected = (step: string) => (station: string, err: unknown): void => log.warn(`station ${step} failed unexpectedly`, { station, err });
  const readConfiguration = new KeyedSerialTasks((identity) => configuration.onStationReady(identity, maxAgeHours * 3_600_000), unexpected('configuration read'));
  const reconcile = new KeyedSerialTasks(async (identity) => {
    await bridge.onStationReady(identity);
    // The list first: what a driver needs to start. The configuration read runs apart,
    // so one waiting for a slow 2.0.1 report never holds up the next reconciliation.
    if (readOnConnect) readConfiguration.request(identity);
  }, unexpected('local list catch-up'));
  stationsReady.on((identity) => {
    reconcile.request(identity);
    p2p?.announce(identity);
    firmware.stationReady(identity);
  });
  // Once per connection: at connect for a station accepted before, else at its first accepted
  // boot. Booting again on the same socket leaves nothing new to catch up (seen: 100 boots on
  // one socket, 100 reconciliations). A station's registration is fixed while the node runs
  // (config), so its boots on one socket are all answered alike.
  const madeReady = new WeakSet<OcppConnection>();
  const stationReady = (connection: OcppConnection): void => {
    if (madeReady.has(connection)) return;
    madeReady.add(connection);
    stationsReady.emit(connection.identity);
  };

  const { ocpp, ports } = await parts.start('OCPP server', async () => {
    const server = createOcppServer(config, {
      service, directory, connections, metrics, stationReady, now, log: log.child({ component: 'ocpp' }), ...(pnc.handlers ? { pnc: pnc.handlers } : {}),
      onReport: (identity, part) => configuration.onReport(identity, part),
      onFirmwareStatus: (identity) => firmware.statusReported(identity),
      onLogStatus: (identity, status) => {
        logs.statusReported(identity, status).catch((err: unknown) => log.warn('could not record a log status', { station: identity, err }));
      },
      files: fileRoutes({ firmware, logs, maxUploadBytes: config.files.maxLogBytes, log: log.child({ component: 'files' }) }),
      frames,
    });
    try {
      return { ocpp: server, ports: await server.listen() };
    } catch (err) {
      // One listener may be bound already (the plain port, when the TLS one is taken).
      await server.close(0);
      throw err;
    }
  }, (o) => o.ocpp.close());
  // Stops before the server: a wallet still waiting for a station's start or stop is told.
  parts.onStop('charging bridge', () => bridge.close());
  if (chainSide && chain && account && events && p2p) {
    const did = await parts.start('DID publisher', () => chainSide.startDidPublisher({ chain, account, key: events.key, multiaddrs: () => p2p.node.getMultiaddrs().map(String), service, config, log: log.child({ component: 'did' }) }), (d) => d.stop());
    stationsReady.on((identity) => did.stationReady(identity));
  }
  recoverStorage(store, ocpp, parts, dataDir, log);
  metricSources.ocpp = ocpp;
  if (p2p) {
    metricSources.p2pPeers = () => p2p.node.getPeers().length;
    metricSources.eventsPublished = () => p2p.publisher.count;
  }
  if (chain) {
    metricSources.chainConnected = () => chain.client() !== undefined;
    metricSources.settlementRounds = () => chain.settlement?.completedRounds ?? 0;
  }
  const admin = config.admin.enabled
    ? await parts.start('admin server', () => startAdminServer({
      host: config.admin.host,
      port: config.admin.port,
      registry: metrics.registry,
      api: adminApi({ tokens: principals(adminToken(config), config.admin.tokens), audit: store.audit, now, snapshot: sharedSnapshot(service, commands, chain ? { openPayouts: () => store.settlements.openPayouts(), debts: () => store.settlements.debts(), format: (a) => formatAmount(a, config.tariff.decimals, config.tariff.currency) } : undefined), service, store, ocpp, commands, operator, configuration, history, tags, frames, reservations, firmware, logs, localList, certificates: pnc.certificates, reportBudget: config.storage.reportBytesPerStation }),
      assets: dashboardAssets(),
      openapi: openApiDocument(PACKAGE_VERSION),
      ready: () => {
        const reasons = [
          ...(chain && !chain.client() ? ['the chain is not reachable'] : []),
          ...(store.writeFailure ? [store.writeFailure.message] : []),
        ];
        return { ready: reasons.length === 0, reasons };
      },
      log: log.child({ component: 'admin' }),
    }), (a) => a.close())
    : undefined;
  parts.every('session sweeper', SWEEP_INTERVAL_MS, () => {
    bridge.sweep(service.identities()).catch((err: unknown) => log.error('session sweep failed', { err }));
  });
  // DHT provider records expire: the connected stations are announced again and again.
  if (p2p) parts.every('DHT announcer', config.p2p.dht.announceIntervalSec * 1000, () => {
    for (const identity of connections.identities()) p2p.announce(identity);
  });
  const memory = idleCompaction(config, parts, log.child({ component: 'memory' }));
  metricSources.memoryCompactions = () => memory?.count ?? 0;
  log.info('gateway started', {
    ocpp: `ws://${config.ocpp.host}:${ports.port}${config.ocpp.path}/<identity>`,
    ...(ports.tlsPort !== undefined ? { ocppTls: `wss://${config.ocpp.host}:${ports.tlsPort}${config.ocpp.path}/<identity>` } : {}),
    ...(admin ? { admin: `http://${config.admin.host}:${admin.port}`, adminTokenFile: config.admin.token ? '(configured)' : adminTokenFile(config) } : {}),
    dataDir,
    stations,
    ...(p2p ? { peerId: p2p.node.peerId.toString(), p2p: p2p.node.getMultiaddrs().map(String) } : {}),
  });
  return {
    ocppPort: ports.port,
    ...(admin ? { adminPort: admin.port } : {}),
    ...(ports.tlsPort !== undefined ? { ocppTlsPort: ports.tlsPort } : {}),
    service,
    ocpp,
    store,
    commands,
    bridge,
    operator,
    configuration,
    ...(chain ? { chain } : {}),
    ...(memory ? { memory } : {}),
    ...(p2p ? { p2p: { peerId: p2p.node.peerId.toString(), multiaddrs: p2p.node.getMultiaddrs().map(String), running: p2p } } : {}),
    async stop() {
      await parts.stop();
      log.info('gateway stopped');
    },
  };
}

/** What the deposit ledger reads of the node's records. */
function ledgerRecords(service: ChargePointService, store: LevelStore): LedgerRecords {
  return {
    activeSessionsOf: (keyHex) => service.activeSessionsOf(keyHex),
    settlementsOf: (keyHex) => store.settlements.settlementsOf(keyHex),
    payouts: (keyHex) => store.settlements.payouts(keyHex),
    debts: (keyHex) => store.settlements.debts(keyHex),
  };
}

/** Compacts the heap every `memory.idleCompactionSec` when the node is quiet (see idle-compaction.ts). */
function idleCompaction(config: Config, parts: Lifecycle, log: Logger): IdleCompaction | undefined {
  if (!config.memory.idleCompactionSec) return undefined;
  const collect = compactingCollection();
  if (!collect) {
    log.info('memory is not compacted when quiet: the node runs without the V8 flag --expose-gc (gateway/node-flags.js)');
    return undefined;
  }
  const memory = new IdleCompaction({ collect, log });
  parts.every('memory compaction', config.memory.idleCompactionSec * 1000, () => memory.check());
  return memory;
}

/** The OCPP endpoint with both versions' handlers, its limits from the configuration. */
function createOcppServer(config: Config, deps: {
  service: ChargePointService;
  directory: StationDirectory;
  connections: StationConnections;
  metrics: GatewayMetrics;
  stationReady: (connection: OcppConnection) => void;
  onReport: NonNullable<AdapterDeps['onReport']>;
  onFirmwareStatus: NonNullable<AdapterDeps['onFirmwareStatus']>;
  onLogStatus: NonNullable<AdapterDeps['onLogStatus']>;
  files: NonNullable<OcppServerOptions['files']>;
  frames: FrameCapture;
  now: () => Date;
  pnc?: PncStationHandlers;
  log: Logger;
}): OcppServer {
  const { service, directory, log } = deps;
  const adapterDeps = {
    service,
    directory,
    heartbeatIntervalSec: config.ocpp.heartbeatIntervalSec,
    bootRetryIntervalSec: config.ocpp.bootRetryIntervalSec,
    log,
    now: deps.now,
    onAccepted: deps.stationReady,
    onReport: deps.onReport,
    onFirmwareStatus: deps.onFirmwareStatus,
    onLogStatus: deps.onLogStatus,
    ...(deps.pnc ? { pnc: deps.pnc } : {}),
  };
  const tls = config.ocpp.tls;
  // Unlisted identities admitted but not stored yet, until when they are counted.
  const admittedUnlisted = new Map<string, number>();
  // A socket that upgrades but never boots (and was never accepted) is not kept alive by pings forever.
  const bootDeadline = new BootDeadline<OcppConnection>(config.ocpp.bootTimeoutSec * 1000, (connection, elapsedMs) => {
    if (deps.connections.get(connection.identity) !== connection) return;
    const connectedAt = Date.now() - elapsedMs;
    service.state(connection.identity).then((state) => {
      const booted = state && (state.status === 'Accepted' || Date.parse(state.bootReceivedAt || '') >= connectedAt - 1_000);
      if (!booted) connection.close(1008, 'no BootNotification');
    }, (err: unknown) => log.warn('could not read a station to check its boot deadline; kept', { station: connection.identity, err }));
  });
  return new OcppServer({
    host: config.ocpp.host,
    port: config.ocpp.port,
    path: config.ocpp.path,
    ...(tls.enabled
      ? { tls: { port: tls.port, key: readFileSync(tls.keyFile), cert: readFileSync(tls.certFile), ...(tls.caFile ? { ca: readFileSync(tls.caFile) } : {}) } }
      : {}),
    directory,
    connections: deps.connections,
    adapters: { 'ocpp1.6': createV16Adapter(adapterDeps), 'ocpp2.0.1': createV201Adapter(adapterDeps) },
    maxPayloadBytes: config.ocpp.maxFrameBytes,
    pingIntervalMs: config.ocpp.pingIntervalSec * 1000,
    callTimeoutMs: config.ocpp.callTimeoutSec * 1000,
    limits: { messagesPerSecond: config.ocpp.maxMessagesPerSecond, burst: config.ocpp.messageBurst, badMessagesPerMinute: config.ocpp.maxBadMessagesPerMinute },
    framesPerTurn: config.ocpp.framesPerTurn,
    handshakeTimeoutMs: config.ocpp.handshakeTimeoutSec * 1000,
    connectionLimits: {
      maxConnections: stationSocketBudget(config.ocpp.maxConnections),
      maxPending: config.ocpp.maxPendingConnections,
      maxPendingPerAddress: config.ocpp.maxPendingPerAddress,
    },
    onConnectionRefused: (reason) => deps.metrics.connectionRefused(reason),
    onPasswordCheck: (outcome) => deps.metrics.passwordCheck(outcome),
    log,
    observer: deps.metrics.observer,
    frames: deps.frames,
    files: deps.files,
    // An unlisted identity that left before it was stored no longer holds a place.
    // (Not when a new connection of the same identity replaced it: that one still boots.)
    onDisconnect: (connection) => {
      bootDeadline.drop(connection);
      if (!deps.connections.get(connection.identity)) admittedUnlisted.delete(connection.identity);
    },
    // A station accepted before (kept across reconnects) is caught up at once.
    onConnect: (connection) => {
      void service.isAccepted(connection.identity).then((accepted) => { if (accepted) deps.stationReady(connection); });
      bootDeadline.watch(connection);
    },
    // Under open registration every identity that connects is kept: at most so many, counting
    // those admitted and not stored yet (seen: ten new ones at once all got in past a cap of 3).
    admitUnlisted: (identity) => {
      if (service.hasStation(identity)) return undefined;
      const now = Date.now();
      for (const [id, until] of admittedUnlisted) if (until <= now || service.hasStation(id)) admittedUnlisted.delete(id);
      const unlisted = service.identities().filter((id) => !directory.isListed(id)).length + admittedUnlisted.size - (admittedUnlisted.has(identity) ? 1 : 0);
      if (unlisted >= config.stations.maxUnlisted) {
        return `this node keeps ${unlisted} stations that are not listed, the most it takes (stations.maxUnlisted); delete unused ones or list this one`;
      }
      // Held until it is stored or could no longer boot.
      admittedUnlisted.set(identity, now + (config.ocpp.handshakeTimeoutSec + config.ocpp.bootTimeoutSec) * 1000 + 5_000);
      return undefined;
    },
  });
}

/**
 * A failed write (disk full, read-only, I/O error) leaves LevelDB refusing writes: the node
 * stops taking stations rather than answering what it cannot keep. It then tries the storage
 * again every few seconds and takes stations back by itself once writes succeed (space
 * freed, descriptors back); nothing acknowledged was lost meanwhile.
 */
function recoverStorage(store: LevelStore, ocpp: OcppServer, parts: Lifecycle, dataDir: string, log: Logger): void {
  let recovery: NodeJS.Timeout | undefined;
  parts.onStop('storage recovery', () => clearInterval(recovery));
  store.onWriteFailure((err) => {
    log.error('storage failed: stations are disconnected and refused until writes succeed again', { dataDir, err: err.message });
    ocpp.suspend('central system storage unavailable');
    clearInterval(recovery);
    recovery = setInterval(() => {
      store.recover().then((ok) => {
        if (!ok) return;
        clearInterval(recovery);
        ocpp.resume();
        log.info('storage works again: stations are taken again', { dataDir });
      }, (e: unknown) => log.warn('storage recovery attempt failed', { err: (e as Error).message }));
    }, STORAGE_RETRY_MS);
    recovery.unref();
  });
}
