// The subscriber for event-throughput.ts, in its own process: one wallet (the SDK over
// libp2p) following every station topic, or with `feed` the gateway's stations feed (one
// topic, events bundled). Forked with <gateway multiaddr> <stations> [<identity prefix>] [feed]; sends
// {ready} once subscribed. On "mark" it zeroes its live count; on "count" it reports how many
// station events gossipsub delivered since; on "complete" it fetches any gap from the gateway
// (as the SDK does after a gap) and reports how many events arrived since the mark in all.
import type { Message } from '@libp2p/gossipsub';
import { ConsumerClient } from '../src/consumer/client.ts';
import { ed25519Signer } from '../src/consumer/signer.ts';
import { stationTopic } from '../src/p2p/protocol.ts';

const [gateway = '', count = '50', prefix = 'EV-', mode = 'topics'] = process.argv.slice(2);
const topics = Array.from({ length: Number(count) }, (_, i) => stationTopic(`${prefix}${i}`));
const wallet = await ConsumerClient.connect({ gateway, signer: ed25519Signer() });
let live = 0;
wallet.node.services.pubsub.addEventListener('message', (evt: CustomEvent<Message>) => {
  if (evt.detail.topic.startsWith('cgw/v1/station/')) live++;
});
const lastSeq = new Map<string, number>();
const follow = async (): Promise<void> => {
  for (const topic of topics) await wallet.follow(topic, (e) => lastSeq.set(e.topic, e.seq), lastSeq.get(topic) ?? 0);
};
if (mode === 'feed') await wallet.followStations((e) => lastSeq.set(e.topic, e.seq));
else await follow();
await new Promise((r) => setTimeout(r, 2_000)); // the gossipsub mesh forms on heartbeats
let seqAtMark = 0;
const seqSum = (): number => [...lastSeq.values()].reduce((a, b) => a + b, 0);
process.on('message', (msg: string) => {
  void (async () => {
    if (msg === 'mark') {
      live = 0;
      seqAtMark = seqSum();
      process.send!({ marked: true });
    } else if (msg === 'count') {
      process.send!({ live });
    } else if (msg === 'complete') {
      await follow();
      process.send!({ total: seqSum() - seqAtMark });
    } else if (msg === 'exit') {
      await wallet.close();
      process.exit(0);
    }
  })();
});
process.send!({ ready: true });
