// The consumer's final step: fetch the signed receipts and SERVICE_DELIVERED from the gateway,
// check them, and execute every payout still open with the consumer's approval:
//   npm run approve -- --consumer //Alice --gateway /ip4/…/p2p/12D3Koo…
import { parseArgs } from 'node:util';
import { ConsumerClient } from '../../src/consumer/client.ts';
import { pairFromSecret, pairSigner } from '../../src/consumer/signer.ts';
import { amountOut, approveAll } from '../consumer-actions.ts';
import { CHAIN_TIMEOUT_MS, runScript, withChain } from './script.ts';

const { values } = parseArgs({ options: { endpoint: { type: 'string', default: 'ws://127.0.0.1:9944' }, consumer: { type: 'string' }, gateway: { type: 'string' } } });
await runScript('usage: npm run approve -- [--endpoint WS] --consumer SECRET --gateway MULTIADDR', async () => {
  if (!values.consumer || !values.gateway?.includes('/p2p/')) return 2;
  const pair = await pairFromSecret(values.consumer);
  const client = await ConsumerClient.connect({ gateway: values.gateway, signer: pairSigner(pair), timeoutMs: 30_000 });
  try {
    return await withChain(values.endpoint, CHAIN_TIMEOUT_MS, async (chain) => {
      const { approvals, message } = await approveAll(chain, client, pair);
      return {
        message,
        payouts: approvals.map((a) => ({ session: a.sessionId, kind: a.kind, amount: amountOut(chain, a.amount), outcome: a.outcome, block: a.inclusion?.blockNumber })),
      };
    });
  } finally {
    await client.close();
  }
});
