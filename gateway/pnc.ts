import { readFileSync } from 'node:fs';
import type { Logger } from '../src/log/logger.ts';
import type { ChargingBridge } from '../src/app/charging-bridge.ts';
import { createPncHandlers } from '../src/ocpp/pnc-handlers.ts';
import type { PncStationHandlers } from '../src/ocpp/pnc-messages.ts';
import type { StationLinks } from '../src/app/station-link.ts';
import { StationCertificates } from '../src/app/station-certificates.ts';
import type { StationDirectory } from '../src/ocpp/core/stations.ts';
import type { CertificateAuthority } from '../src/pnc/certificate-authority.ts';
import { HttpContractBackend } from '../src/pnc/contract-backend.ts';
import { ContractError, ContractRegistry } from '../src/pnc/contracts.ts';
import { parseConsumerKey, type ConsumerKey } from '../src/crypto/consumer-key.ts';
import type { ConsumerApi } from '../src/p2p/consumer-api.ts';
import { HttpCertificateAuthority } from '../src/pnc/http-ca.ts';
import { LocalCertificateAuthority, loadIssuer, type Issuer } from '../src/pnc/local-ca.ts';
import { HttpOcspClient } from '../src/pnc/ocsp-client.ts';
import { mayHoldCertificates, PlugAndCharge } from '../src/pnc/plug-and-charge.ts';
import type { CertificateRecords, ContractRecords } from '../src/domain/ports.ts';
import { parseChain } from '../src/pnc/x509.ts';
import { x509CertificateReader } from '../src/pnc/certificate-reader.ts';
import type { Config, IssuerFiles } from './config/schema.ts';

export interface PncParts {
  certificates: StationCertificates;
  registry: ContractRegistry;
  /** The station-facing handlers, when Plug & Charge is enabled. */
  handlers?: PncStationHandlers;
}

async function issuerOf(files: IssuerFiles): Promise<Issuer | undefined> {
  if (!files.certFile) return undefined;
  if (files.includeRoot && !files.rootFile) throw new Error(`includeRoot is set for the CA ${files.certFile}, but no rootFile names the root`);
  return loadIssuer({
    certFile: files.certFile, keyFile: files.keyFile, ...(files.chainFile ? { chainFile: files.chainFile } : {}), ...(files.includeRoot ? { rootFile: files.rootFile } : {}),
  });
}

async function certificateAuthority(config: Config['pnc']): Promise<CertificateAuthority | undefined> {
  const { ca } = config;
  if (ca.externalUrl) return new HttpCertificateAuthority({ url: ca.externalUrl, timeoutMs: 30_000, ...(ca.externalToken ? { token: ca.externalToken } : {}) });
  const chargingStation = await issuerOf(ca.chargingStation);
  const v2g = await issuerOf(ca.v2g);
  if (!chargingStation && !v2g) return undefined;
  return new LocalCertificateAuthority({
    issuers: { ...(chargingStation ? { ChargingStationCertificate: chargingStation } : {}), ...(v2g ? { V2GCertificate: v2g } : {}) },
    validityDays: { ChargingStationCertificate: ca.chargingStationValidityDays, V2GCertificate: ca.v2gValidityDays },
  });
}

/** Plug & Charge and the station certificate inventory, built from the configuration. */
export async function startPnc(
  config: Config,
  deps: { store: { certificates: CertificateRecords; contracts: ContractRecords }; bridge: ChargingBridge; commands: StationLinks; directory: StationDirectory; now: () => Date },
  log: Logger,
): Promise<PncParts> {
  const pncConfig = config.pnc;
  const securityProfileOf = (identity: string): number => deps.directory.lookup(identity)?.securityProfile ?? 0;
  const mayInstall = (identity: string): boolean => mayHoldCertificates(securityProfileOf(identity), pncConfig.allowInsecureProfiles);
  const certificates = new StationCertificates({
    commands: deps.commands,
    records: deps.store.certificates,
    reader: x509CertificateReader,
    mayInstall,
    delivery: { attempts: pncConfig.certificateSigned.attempts, retryMs: pncConfig.certificateSigned.retrySec * 1000 },
    now: deps.now,
    log,
  });
  const registry = new ContractRegistry(deps.store.contracts);
  if (!pncConfig.enabled) return { certificates, registry };
  const ca = await certificateAuthority(pncConfig);
  const pnc = new PlugAndCharge({
    ...(ca ? { ca } : {}),
    csrPolicy: pncConfig.organization ? { organization: pncConfig.organization } : {},
    allowInsecureProfiles: pncConfig.allowInsecureProfiles,
    ...(pncConfig.ocsp.enabled ? { ocsp: new HttpOcspClient({ timeoutMs: pncConfig.ocsp.timeoutSec * 1000 }) } : {}),
    ...(pncConfig.contractBackend.url
      ? { contractBackend: new HttpContractBackend({ url: pncConfig.contractBackend.url, timeoutMs: pncConfig.contractBackend.timeoutSec * 1000, ...(pncConfig.contractBackend.token ? { token: pncConfig.contractBackend.token } : {}) }) }
      : {}),
    registry,
    moRoots: pncConfig.moRootFiles.flatMap((file) => parseChain(readFileSync(file, 'utf8'))),
    now: deps.now,
    log,
  });
  log.info('Plug & Charge enabled', {
    ca: pncConfig.ca.externalUrl ? 'external' : ca ? 'local' : 'none (SignCertificate is rejected)',
    ocsp: pncConfig.ocsp.enabled,
    contractBackend: pncConfig.contractBackend.url || 'none',
    moRoots: pncConfig.moRootFiles.length,
  });
  return { certificates, registry, handlers: createPncHandlers({ pnc, certificates, bridge: deps.bridge, securityProfileOf, log }) };
}

/** The consumer protocol's contract request, served by the registry. */
export function contractApi(registry: ContractRegistry): Pick<ConsumerApi, 'contract'> {
  return {
    async contract({ consumerKey, emaid, remove }) {
      let key: ConsumerKey;
      try {
        key = parseConsumerKey(consumerKey);
      } catch (err) {
        throw new ContractError('InvalidRequest', (err as Error).message);
      }
      const holder = { keyText: key.text, keyHex: key.hex };
      const changed = remove ? await registry.unregister(holder, emaid) : await registry.register(holder, emaid);
      const contracts = (await registry.contractsOf(key.hex)).map((c) => c.emaid);
      return { emaid: changed.emaid, registeredAt: remove ? '' : changed.registeredAt, contracts };
    },
  };
}
