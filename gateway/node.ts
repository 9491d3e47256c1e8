import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ChargePointService } from '../src/domain/charge-point-service.ts';
import type { Logger } from '../src/log/logger.ts';
import { OcppServer } from '../src/ocpp/server.ts';
import { createV16Adapter } from '../src/ocpp/v16/adapter.ts';
import { createV201Adapter } from '../src/ocpp/v201/adapter.ts';
import { LevelStore } from '../src/store/level-store.ts';
import type { Config } from './config/schema.ts';
import { directoryFromConfig } from './stations.ts';

/** A running gateway node: what the CLI, the tests and the benchmarks start and stop. */
export interface GatewayNode {
  ocppPort: number;
  ocppTlsPort?: number;
  service: ChargePointService;
  ocpp: OcppServer;
  store: LevelStore;
  stop(): Promise<void>;
}

/** The composition root: the only place that knows every part and wires them together. */
export async function startGateway(config: Config, log: Logger): Promise<GatewayNode> {
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const store = await LevelStore.open(resolve(dataDir, 'state'), { sync: config.storage.fsync });
  const service = new ChargePointService({
    repository: store,
    authorization: { acceptUnknownIdTags: config.ocpp.acceptUnknownIdTags },
  });
  const directory = directoryFromConfig(config.stations);
  if (directory.openRegistration) {
    log.warn('OPEN REGISTRATION: any station identity may connect without credentials (security profile 0). Set stations.registration to "closed" and list your stations for production.');
  }
  const adapterDeps = {
    service,
    directory,
    heartbeatIntervalSec: config.ocpp.heartbeatIntervalSec,
    bootRetryIntervalSec: config.ocpp.bootRetryIntervalSec,
    log: log.child({ component: 'ocpp' }),
  };
  const tls = config.ocpp.tls;
  const ocpp = new OcppServer({
    host: config.ocpp.host,
    port: config.ocpp.port,
    path: config.ocpp.path,
    ...(tls.enabled
      ? { tls: { port: tls.port, key: readFileSync(tls.keyFile), cert: readFileSync(tls.certFile), ...(tls.caFile ? { ca: readFileSync(tls.caFile) } : {}) } }
      : {}),
    directory,
    adapters: { 'ocpp1.6': createV16Adapter(adapterDeps), 'ocpp2.0.1': createV201Adapter(adapterDeps) },
    maxPayloadBytes: config.ocpp.maxFrameBytes,
    pingIntervalMs: config.ocpp.pingIntervalSec * 1000,
    callTimeoutMs: config.ocpp.callTimeoutSec * 1000,
    log: log.child({ component: 'ocpp' }),
  });
  let ports: { port: number; tlsPort?: number };
  try {
    ports = await ocpp.listen();
  } catch (err) {
    await ocpp.close();
    await store.close();
    throw err;
  }
  log.info('gateway started', {
    ocpp: `ws://${config.ocpp.host}:${ports.port}${config.ocpp.path}/<identity>`,
    ...(ports.tlsPort !== undefined ? { ocppTls: `wss://${config.ocpp.host}:${ports.tlsPort}${config.ocpp.path}/<identity>` } : {}),
    dataDir,
  });
  return {
    ocppPort: ports.port,
    ...(ports.tlsPort !== undefined ? { ocppTlsPort: ports.tlsPort } : {}),
    service,
    ocpp,
    store,
    async stop() {
      await ocpp.close();
      await store.close();
      log.info('gateway stopped');
    },
  };
}
