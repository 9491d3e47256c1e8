// The state of a consumer's deposit with a gateway, read from the chain:
//   npm run settle-status -- --consumer <address | SECRET> --gateway <address | 0xkey | /ip4/…/p2p/12D3Koo…>
import { parseArgs } from 'node:util';
import { decodeAddress } from '@polkadot/util-crypto';
import { pairFromSecret } from '../../src/consumer/signer.ts';
import { depositStatus, gatewayKeyFrom } from '../consumer-actions.ts';
import { CHAIN_TIMEOUT_MS, runScript, withChain } from './script.ts';

const { values } = parseArgs({ options: { endpoint: { type: 'string', default: 'ws://127.0.0.1:9944' }, consumer: { type: 'string' }, gateway: { type: 'string' } } });
await runScript('usage: npm run settle-status -- [--endpoint WS] --consumer ADDRESS|SECRET --gateway GATEWAY', async () => {
  if (!values.consumer || !values.gateway) return 2;
  const text = values.consumer;
  const consumerKey = /^(\/\/|0x[0-9a-fA-F]{64}$|\w+ \w+)/.test(text) ? (await pairFromSecret(text)).publicKey : decodeAddress(text);
  const gateway = gatewayKeyFrom(values.gateway);
  return withChain(values.endpoint, CHAIN_TIMEOUT_MS, (chain) => depositStatus(chain, consumerKey, gateway));
});
