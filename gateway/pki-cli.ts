import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createDevPki } from './dev-pki.ts';
import { loadConfig } from './config/load.ts';
import { adminCall } from './admin-client.ts';

const PKI_HELP = `charging-gateway pki init [DIR] [--cpo NAME]
  Creates a development PKI for Plug & Charge in DIR (default ./pki): V2G root + CPO sub-CA,
  CSMS root + CSO sub-CA, an MO root for test contracts, and a TLS server certificate for
  localhost. Prints the configuration that uses it. Never for production.`;

const CERT_HELP = `charging-gateway certificates COMMAND STATION [...] [--config FILE]
  list STATION                    certificates on the station as last known (with their ids)
  refresh STATION                 ask the station (GetInstalledCertificateIds) and list again
  install STATION TYPE FILE       InstallCertificate of a root from a PEM file; TYPE is one of
                                  V2GRootCertificate MORootCertificate CSMSRootCertificate ManufacturerRootCertificate
  delete STATION ID               DeleteCertificate of a listed certificate
Talks to the running node's admin API (admin.host/admin.port, token from the configuration).`;

/** `charging-gateway pki init`: a development certificate hierarchy and its config. */
export async function pkiMain(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { cpo: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help || positionals[0] !== 'init') {
    console.log(PKI_HELP);
    return values.help ? 0 : 2;
  }
  const dir = resolve(positionals[1] ?? 'pki');
  const cpo = values.cpo ?? 'Charging Gateway CPO';
  const files = await createDevPki(dir, cpo);
  console.log(JSON.stringify({
    created: files.dir,
    config: {
      ocpp: { tls: { enabled: true, certFile: files.server.certFile, keyFile: files.server.keyFile, caFile: files.csmsRoot } },
      pnc: {
        enabled: true,
        organization: cpo,
        ca: { chargingStation: { ...files.csoSubCa, chainFile: '' }, v2g: { ...files.v2gSubCa, chainFile: '' } },
        moRootFiles: [files.moRoot.certFile],
      },
    },
    installOnStations: { V2GRootCertificate: files.v2gRoot, CSMSRootCertificate: files.csmsRoot, MORootCertificate: files.moRoot.certFile },
  }, null, 2));
  return 0;
}

/** `charging-gateway certificates ...`: the admin API's certificate routes from the terminal. */
export async function certificatesMain(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } } });
  const [command, station, ...rest] = positionals;
  if (values.help || !command || !station) {
    console.log(CERT_HELP);
    return values.help ? 0 : 2;
  }
  const file = values.config ?? process.env.CGW_CONFIG;
  const config = loadConfig({ ...(file ? { file } : {}) });
  const path = `/api/stations/${encodeURIComponent(station)}`;
  switch (command) {
    case 'list':
      return adminCall(config, 'GET', `${path}/certificates`);
    case 'refresh':
      return adminCall(config, 'POST', `${path}/commands/refresh-certificates`, {});
    case 'install': {
      const [certificateType, pemFile] = rest;
      if (!certificateType || !pemFile) break;
      return adminCall(config, 'POST', `${path}/commands/install-certificate`, { certificateType, certificate: readFileSync(pemFile, 'utf8') });
    }
    case 'delete': {
      const [id] = rest;
      if (!id) break;
      return adminCall(config, 'POST', `${path}/commands/delete-certificate`, { id });
    }
  }
  console.error(CERT_HELP);
  return 2;
}
