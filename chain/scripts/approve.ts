// The consumer's final step: fetch the signed receipt and SERVICE_DELIVERED from the gateway,
// check them, and execute the payouts from the multisig:
//   npm run approve -- --endpoint ws://127.0.0.1:9944 --consumer //Alice --gateway /ip4/…/p2p/12D3Koo…
import { parseArgs } from 'node:util';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { ConsumerClient, type GatewayEvent } from '../../src/consumer/client.ts';
import { pairSigner } from '../../src/consumer/signer.ts';
import { approvePayouts } from '../approve.ts';
import { ChainClient } from '../client.ts';

const { values } = parseArgs({ options: { endpoint: { type: 'string', default: 'ws://127.0.0.1:9944' }, consumer: { type: 'string' }, gateway: { type: 'string' } } });
if (!values.consumer || !values.gateway) {
  console.error('usage: npm run approve -- --endpoint WS --consumer SURI --gateway MULTIADDR');
  process.exit(2);
}
await cryptoWaitReady();
const pair = new Keyring({ type: 'sr25519' }).addFromUri(values.consumer);
const client = await ConsumerClient.connect({ gateway: values.gateway, signer: pairSigner(pair) });
const chain = await ChainClient.connect(values.endpoint);
try {
  const events: GatewayEvent[] = [];
  await client.follow(client.topic, (e) => events.push(e));
  const delivered = events.findLast((e) => e.event.eventId === 'SERVICE_DELIVERED')?.event.serviceDeliveredData;
  const receipt = events.findLast((e) => e.event.eventId === 'STOP_TRANSACTION_RESPONSE');
  if (!delivered || !receipt) {
    console.error('nothing to approve yet: no SERVICE_DELIVERED from this gateway');
    process.exitCode = 1;
  } else {
    const done = await approvePayouts(chain, pair, client.gatewayKey, receipt.envelope, delivered);
    console.log(JSON.stringify({ spent: delivered.spentInfo?.tokenNum, refund: delivered.refundInfo?.tokenNum, spentBlock: done.spent?.blockNumber, refundBlock: done.refund?.blockNumber }, null, 2));
  }
} finally {
  await client.close();
  await chain.disconnect();
}
