// A gateway from before REQUESTS_PROTOCOL, in its own process: a libp2p peer that speaks only
// REQUEST_PROTOCOL (one request per stream) and answers every request with an empty, signed
// session status. Sends {address} over IPC once listening, and {streams} on "count".
import { generateKeyPair } from '@libp2p/crypto/keys';
import { lpStream } from '@libp2p/utils';
import { gatewayKeyFrom } from '../../src/crypto/gateway-key.ts';
import { DOMAIN, open, seal } from '../../src/p2p/envelope.ts';
import { createP2pNode } from '../../src/p2p/node.ts';
import { REQUEST_PROTOCOL } from '../../src/p2p/protocol.ts';
import { codecFor } from '../../src/proto/codec.ts';

const privateKey = await generateKeyPair('Ed25519');
const key = gatewayKeyFrom(privateKey);
const node = await createP2pNode({ privateKey, listen: ['/ip4/127.0.0.1/tcp/0'] });
let streams = 0;
await node.handle(REQUEST_PROTOCOL, async (stream) => {
  streams++;
  const lp = lpStream(stream);
  const request = await open((await lp.read()).subarray(), { domain: DOMAIN.request });
  const payload = codecFor('cgw.Response').encode({ sessionStatus: {} });
  await lp.write(await seal({ publicKey: key.publicKey, scheme: 'ED25519', sign: key.sign }, { domain: DOMAIN.response, payload, inReplyTo: request.nonce }));
  await stream.close();
});
process.on('message', (msg) => {
  if (msg === 'count') process.send!({ streams });
  if (msg === 'stop') void Promise.resolve(node.stop()).then(() => process.exit(0));
});
process.send!({ address: node.getMultiaddrs()[0]!.toString() });
