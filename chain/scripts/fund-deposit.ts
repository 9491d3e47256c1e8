// The consumer pays its deposit into the 2-of-2 multisig it shares with the gateway:
//   npm run fund-deposit -- --endpoint ws://127.0.0.1:9944 --consumer //Alice --gateway <address|0xhex> --amount 2000000000000000000
import { parseArgs } from 'node:util';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady, decodeAddress } from '@polkadot/util-crypto';
import { ChainClient } from '../client.ts';
import { fundDeposit } from '../deposit.ts';

const { values } = parseArgs({ options: { endpoint: { type: 'string', default: 'ws://127.0.0.1:9944' }, consumer: { type: 'string' }, gateway: { type: 'string' }, amount: { type: 'string' } } });
if (!values.consumer || !values.gateway || !values.amount || !/^\d+$/.test(values.amount)) {
  console.error('usage: npm run fund-deposit -- --endpoint WS --consumer SURI --gateway ADDRESS --amount SMALLEST_UNITS');
  process.exit(2);
}
await cryptoWaitReady();
const consumer = new Keyring({ type: 'sr25519' }).addFromUri(values.consumer);
const chain = await ChainClient.connect(values.endpoint);
try {
  const { multisig, inclusion } = await fundDeposit(chain, consumer, decodeAddress(values.gateway), BigInt(values.amount));
  console.log(JSON.stringify({ consumer: consumer.address, multisig, deposited: values.amount, balance: (await chain.freeBalance(multisig)).toString(), block: inclusion.blockNumber }, null, 2));
} finally {
  await chain.disconnect();
}
