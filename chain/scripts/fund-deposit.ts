// The consumer pays its deposit into the 2-of-2 multisig it shares with the gateway:
//   npm run fund-deposit -- --consumer //Alice --gateway <address | 0xkey | /ip4/…/p2p/12D3Koo…> --amount "2 PEAQ"
import { parseArgs } from 'node:util';
import { pairFromSecret } from '../../src/consumer/signer.ts';
import { parseAmount } from '../../src/domain/amounts.ts';
import { fund, gatewayKeyFrom } from '../consumer-actions.ts';
import { CHAIN_TIMEOUT_MS, runScript, withChain } from './script.ts';

const { values } = parseArgs({ options: { endpoint: { type: 'string', default: 'ws://127.0.0.1:9944' }, consumer: { type: 'string' }, gateway: { type: 'string' }, amount: { type: 'string' } } });
await runScript('usage: npm run fund-deposit -- [--endpoint WS] --consumer SECRET --gateway GATEWAY --amount AMOUNT', async () => {
  if (!values.consumer || !values.gateway || !values.amount) return 2;
  const consumer = await pairFromSecret(values.consumer);
  const gateway = gatewayKeyFrom(values.gateway);
  return withChain(values.endpoint, CHAIN_TIMEOUT_MS, async (chain) => fund(chain, consumer, gateway, parseAmount(values.amount!, chain.shape.decimals, chain.shape.symbol)));
});
