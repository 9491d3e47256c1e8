// The state of a consumer's deposit with a gateway, read from the chain:
//   npm run settle-status -- --endpoint ws://127.0.0.1:9944 --consumer <address> --gateway <address>
import { parseArgs } from 'node:util';
import { cryptoWaitReady, decodeAddress } from '@polkadot/util-crypto';
import { ChainClient } from '../client.ts';

const { values } = parseArgs({ options: { endpoint: { type: 'string', default: 'ws://127.0.0.1:9944' }, consumer: { type: 'string' }, gateway: { type: 'string' } } });
if (!values.consumer || !values.gateway) {
  console.error('usage: npm run settle-status -- --endpoint WS --consumer ADDRESS --gateway ADDRESS');
  process.exit(2);
}
await cryptoWaitReady();
const chain = await ChainClient.connect(values.endpoint);
try {
  const multisig = chain.multisigAddress([decodeAddress(values.consumer), decodeAddress(values.gateway)]);
  const entries = await chain.api.query.multisig.multisigs.entries(multisig);
  const pending = entries.map(([key, op]) => ({ callHash: key.args[1]!.toHex(), operation: op.toJSON() }));
  console.log(JSON.stringify({ multisig, free: (await chain.freeBalance(multisig)).toString(), pendingPayouts: pending }, null, 2));
} finally {
  await chain.disconnect();
}
