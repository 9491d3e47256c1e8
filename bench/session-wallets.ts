// Wallets for session-latency.ts, in their own process. One libp2p node per 50 accounts (the
// gateway takes at most 64 request streams per connection); each account runs a whole session
// on its own station: authorize, then start and stop timed from the signed request to the
// verified signed answer (the start answer comes after the station's StartTransaction, the
// stop answer carries the receipt).
//   forked with: <gateway multiaddr>; on {stations: string[]} runs them all at once and sends
//   {start: ms[], stop: ms[], failures: string[]}.
import { ConsumerClient } from '../src/consumer/client.ts';
import { ed25519Signer, sr25519Signer, type ConsumerSigner } from '../src/consumer/signer.ts';

const gateway = process.argv[2] ?? '';
const ACCOUNTS_PER_NODE = 50;
const nodes: ConsumerClient[] = [];
// BENCH_SCHEME=sr25519: the accounts sign with sr25519, as peaq wallets do (ed25519 otherwise).
const account = (): ConsumerSigner | Promise<ConsumerSigner> => (process.env.BENCH_SCHEME === 'sr25519' ? sr25519Signer() : ed25519Signer());

async function clientsFor(count: number): Promise<ConsumerClient[]> {
  while (nodes.length * ACCOUNTS_PER_NODE < count) {
    nodes.push(await ConsumerClient.connect({ gateway, signer: ed25519Signer(), timeoutMs: 120_000 }));
    // libp2p refuses more than 5 new inbound connections per second from one host (its DoS guard).
    await new Promise((r) => setTimeout(r, 500));
  }
  return Promise.all(Array.from({ length: count }, async (_, i) => nodes[Math.floor(i / ACCOUNTS_PER_NODE)]!.as(await account())));
}

async function session(client: ConsumerClient, station: string): Promise<{ start: number; stop: number }> {
  await client.authorize(station);
  const t0 = performance.now();
  await client.start(station, 1);
  const t1 = performance.now();
  await client.stop(station, 1); // the receipt arrives in the gateway-signed answer, verified by the client
  const t2 = performance.now();
  return { start: t1 - t0, stop: t2 - t1 };
}

process.on('message', (msg: { stations?: string[]; exit?: boolean }) => {
  if (msg.exit) {
    void Promise.all(nodes.map((n) => n.close())).then(() => process.exit(0));
    return;
  }
  const stations = msg.stations ?? [];
  void (async () => {
    const clients = await clientsFor(stations.length).catch((err: unknown) => {
      process.send!({ start: [], stop: [], failures: [`connecting: ${(err as Error).message}`] });
      return undefined;
    });
    if (!clients) return;
    const results = await Promise.allSettled(stations.map((station, i) => session(clients[i]!, station)));
    const ok = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [String((r.reason as Error).message)] : []));
    process.send!({ start: ok.map((r) => r.start), stop: ok.map((r) => r.stop), failures });
  })();
});
process.send!({ ready: true });
