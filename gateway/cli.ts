import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, configLeaves, loadConfig, redactSecrets } from './config/load.ts';
import { PACKAGE_VERSION } from './version.ts';
// Each command loads what it needs when it runs (libp2p, polkadot-js, the node): --help,
// --version, env and config answer without loading them (seen: several seconds for --help).


const SHUTDOWN_BOUND_MS = 20_000;

const HELP = `charging-gateway ${PACKAGE_VERSION}: OCPP-J 1.6/2.0.1 central system and peer-to-peer charging gateway

Usage:
  charging-gateway start [--config FILE]   run the node (embedded defaults when no file is given)
  charging-gateway config [--config FILE]  print the effective configuration as JSON
  charging-gateway env                     list the environment variables that override config keys
  charging-gateway hash-password           read a station password on stdin, print its scrypt hash
  charging-gateway keys [--config FILE]    show the gateway's peer id and public key (creates the key if missing)
  charging-gateway consumer ...            a wallet in the terminal (see: charging-gateway consumer --help)
  charging-gateway simulate-station ID     a simulated charge point for trying things out (OCPP 1.6, or --ocpp 2.0.1;
                                           --password for basic auth; see: simulate-station --help)
  charging-gateway pki init [DIR]          a development PKI for Plug & Charge (see: charging-gateway pki --help)
  charging-gateway certificates ...        list/install/delete station certificates (see: charging-gateway certificates --help)
  charging-gateway stations list|delete    the stations the running node knows; forget one (see: charging-gateway stations --help)
  charging-gateway transactions [...]      transactions on every station, filtered, as JSON pages or CSV (see: --help)
  charging-gateway audit [--limit N]       who asked the node for which change (see: --help)
  charging-gateway tags list|set|delete|import|export
                                           the operator's cards (RFID idTags) on every station (see: --help)
  charging-gateway station ...             commands to one station: call any OCPP action, reset, configuration,
                                           reservations, frame capture, logs (see: charging-gateway station --help)
  charging-gateway firmware ...            firmware images, updates and rollouts (see: charging-gateway firmware --help)
  charging-gateway --help | --version

Configuration: embedded defaults, then the JSON file (--config or CGW_CONFIG), then CGW_*
environment variables. An invalid configuration exits with code 2 and names the key.`;

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'consumer') return (await import('./consumer-cli.ts')).consumerMain(argv.slice(1));
  if (argv[0] === 'simulate-station') return (await import('./simulate-station.ts')).simulateStation(argv.slice(1));
  if (argv[0] === 'pki') return (await import('./pki-cli.ts')).pkiMain(argv.slice(1));
  if (argv[0] === 'certificates') return (await import('./pki-cli.ts')).certificatesMain(argv.slice(1));
  if (argv[0] === 'audit') return (await import('./audit-cli.ts')).auditMain(argv.slice(1));
  if (argv[0] === 'tags') return (await import('./tags-cli.ts')).tagsMain(argv.slice(1));
  if (argv[0] === 'firmware') return (await import('./firmware-cli.ts')).firmwareMain(argv.slice(1));
  if (argv[0] === 'transactions') return (await import('./transactions-cli.ts')).transactionsMain(argv.slice(1));
  if (argv[0] === 'stations' || argv[0] === 'station') return (await import('./stations-cli.ts')).stationsMain(argv.slice(1));
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'v' } },
  });
  if (values.version) {
    console.log(PACKAGE_VERSION);
    return 0;
  }
  const command = positionals[0] ?? (values.help ? 'help' : 'start');
  const file = values.config ?? process.env.CGW_CONFIG;
  switch (command) {
    case 'help':
      console.log(HELP);
      return 0;
    case 'env':
      for (const leaf of configLeaves()) console.log(`${leaf.env.padEnd(44)} ${leaf.path.join('.')} (${leaf.type})`);
      return 0;
    case 'config':
      console.log(JSON.stringify(redactSecrets(loadConfig({ ...(file ? { file } : {}) })), null, 2));
      return 0;
    case 'keys': {
      const config = loadConfig({ ...(file ? { file } : {}) });
      const [{ loadOrCreateGatewayKey }, { dialableAddresses, keyFileOf }, { adminTokenFile }, { encodeAddress }] = await Promise.all([
        import('../src/crypto/gateway-key.ts'), import('./p2p.ts'), import('./admin-token.ts'), import('@polkadot/util-crypto'),
      ]);
      const { key, created } = await loadOrCreateGatewayKey(keyFileOf(config));
      console.log(JSON.stringify({
        keyFile: keyFileOf(config),
        created,
        peerId: key.peerId,
        publicKey: `0x${Buffer.from(key.publicKey).toString('hex')}`,
        // The chain account is the same ed25519 key (see chain/gateway-account.ts).
        chainAccount: encodeAddress(key.publicKey, 42),
        // The same key reads as another address on a chain with another prefix (seen: the dev
        // chain's prefix 2 showed it differently than this did, with no hint why).
        chainAccountFormat: 'SS58 prefix 42, as on peaq; a chain with another prefix (the dev chain: 2) shows this key as another address',
        // What a wallet dials (CGW_GATEWAY), once the node runs with this configuration.
        p2p: dialableAddresses(config, key.peerId),
        adminTokenFile: config.admin.token ? '(admin.token is set in the configuration)' : adminTokenFile(config),
      }, null, 2));
      return 0;
    }
    case 'hash-password': {
      const input = readFileSync(0);
      // A trailing newline from `echo` is not part of the password.
      const password = input.at(-1) === 0x0a ? input.subarray(0, input.at(-2) === 0x0d ? -2 : -1) : input;
      console.log((await import('../src/ocpp/core/passwords.ts')).hashPassword(password));
      return 0;
    }
    case 'start': {
      const config = loadConfig({ ...(file ? { file } : {}) });
      const log = (await import('../src/log/logger.ts')).jsonLogger(config.log.level);
      // Listen for signals before starting: one that arrives while the node starts (or right
      // after its "gateway started" line) must stop it cleanly, not kill it mid-write.
      const stopRequested = new Promise<void>((resolve) => {
        let stopping = false;
        // Signals keep being handled while stopping: `npm start` forwards SIGTERM to the node
        // as well, and a repeated Ctrl-C must not cut a clean shutdown short.
        const stop = (signal: string): void => {
          if (stopping) {
            log.info('already stopping', { signal });
            return;
          }
          stopping = true;
          log.info('stopping', { signal });
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
        process.on('SIGHUP', stop);
      });
      const { startGateway } = await import('./node.ts');
      const node = await startGateway(config, log);
      await stopRequested;
      // A shutdown that hangs (a peer that never closes) must not keep the process forever.
      setTimeout(() => {
        log.error(`shutdown took longer than ${SHUTDOWN_BOUND_MS / 1000} s; exiting anyway`);
        process.exit(1);
      }, SHUTDOWN_BOUND_MS).unref();
      await node.stop();
      return 0;
    }
    default:
      console.error(`unknown command "${command}"\n\n${HELP}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    if (err instanceof ConfigError || (err instanceof Error && err.name === 'TypeError' && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))) {
      console.error(`charging-gateway: ${err.message}`);
      process.exitCode = 2;
      return;
    }
    console.error(`charging-gateway: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
