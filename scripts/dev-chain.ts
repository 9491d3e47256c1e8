// A local development chain for trying the whole flow on one machine:
//   npm run dev-chain -- [--port 9944] [--gateway-key ./data/gateway.key] [--spec raw-chain-spec.json]
// Funds the well-known dev accounts (//Alice … //Ferdie) and the gateway's account.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady, encodeAddress } from '@polkadot/util-crypto';
import { loadOrCreateGatewayKey } from '../src/crypto/gateway-key.ts';
import { ChainClient } from '../chain/client.ts';
import { startDevChain } from '../test/helpers/dev-chain.ts';

const { values } = parseArgs({ options: { port: { type: 'string', default: '9944' }, host: { type: 'string', default: '127.0.0.1' }, 'gateway-key': { type: 'string', default: './data/gateway.key' }, spec: { type: 'string' } } });
await cryptoWaitReady();
const ENDOWMENT = 1_000_000n * 10n ** 18n;
const keyring = new Keyring({ type: 'sr25519' });
const keys: Record<string, Uint8Array> = {};
for (const name of ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie']) keys[`//${name}`] = keyring.addFromUri(`//${name}`).publicKey;
const keyFile = values['gateway-key'];
if (existsSync(keyFile)) keys.gateway = (await loadOrCreateGatewayKey(keyFile)).key.publicKey;
const endowed = Object.fromEntries(Object.values(keys).map((k) => [encodeAddress(k, 42), ENDOWMENT]));
const chain = await startDevChain({ host: values.host, port: Number(values.port), endowed, ...(values.spec ? { specFile: values.spec } : {}) });
// Addresses as this chain writes them (its runtime's SS58 prefix), the way the node and the scripts show them.
const client = await ChainClient.connect(chain.endpoint);
const accounts = Object.fromEntries(Object.entries(keys).map(([name, k]) => [name, client.address(k)]));
const endowment = { text: client.format(ENDOWMENT), units: ENDOWMENT.toString() };
await client.disconnect();
console.log(JSON.stringify({ endpoint: chain.endpoint, endowment, accounts }, null, 2));
console.log(`dev chain running; set CGW_CHAIN_ENDPOINT=${chain.endpoint} for the gateway. Ctrl-C stops it.`);
process.once('SIGINT', () => { void chain.close().then(() => process.exit(0)); });
process.once('SIGTERM', () => { void chain.close().then(() => process.exit(0)); });
