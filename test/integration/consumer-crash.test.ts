// kill -9 of the gateway while wallets run sessions over libp2p: every receipt a wallet got is
// the one the node stored, signed by the node, never two different ones for a session, and
// every finished session's receipt reaches its wallet (live or fetched after a gap).
// `npm run soak` runs it with CGW_SOAK_CYCLES=25.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConsumerClient } from '../../src/consumer/client.ts';
import { ed25519Signer } from '../../src/consumer/signer.ts';
import { codecFor } from '../../src/proto/codec.ts';
import type { Session_Receipt as Receipt } from '../../src/proto/types.ts';
import { LevelStore } from '../../src/store/level-store.ts';
import { tempDir } from '../helpers/gateway.ts';
import { freePort } from '../helpers/net.ts';
import { spawnGateway, type GatewayProcess } from '../helpers/process.ts';
import { RemoteStation } from '../helpers/remote-station.ts';

const CYCLES = Number(process.env.CGW_SOAK_CYCLES ?? 3);
const WALLETS = 3;
const receiptCodec = codecFor('session.Receipt');
const same = (a: Receipt, b: Receipt): boolean => Buffer.from(receiptCodec.encode(a)).equals(Buffer.from(receiptCodec.encode(b)));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A wallet charging again and again at its own station, carrying on across gateway crashes. */
class Driver {
  readonly receipts = new Map<string, Receipt>();
  readonly conflicts: string[] = [];
  sessions = 0;
  private running = true;
  private loop: Promise<void> | undefined;
  readonly client: ConsumerClient;
  readonly station: string;

  constructor(client: ConsumerClient, station: string) {
    this.client = client;
    this.station = station;
  }

  async start(): Promise<void> {
    await this.follow();
    this.loop = this.run();
  }

  /** Receipts also come as events on the wallet's topic; following it again fetches the whole topic. */
  follow(): Promise<void> {
    return this.client.follow(this.client.topic, (e) => {
      const receipt = e.event.stopTransactionResponseData?.receipt;
      if (receipt) this.keep(receipt);
    });
  }

  /** Ends the session in progress (if any), then stops. */
  async stop(): Promise<void> {
    this.running = false;
    const stuck = setTimeout(() => console.error(`${this.station}: still stopping, last state ${this.lastState}`), 20_000);
    await this.loop;
    clearTimeout(stuck);
  }

  lastState = '';

  keep(receipt: Receipt): void {
    const known = this.receipts.get(receipt.sessionId);
    if (known && !same(known, receipt)) this.conflicts.push(receipt.sessionId);
    this.receipts.set(receipt.sessionId, receipt);
  }

  private async run(): Promise<void> {
    for (;;) {
      try {
        const { session } = await this.client.status(this.station);
        this.lastState = session?.state ?? 'none';
        const active = session && ['authorized', 'starting', 'charging', 'stopping'].includes(session.state);
        if (!active) {
          if (!this.running) return;
          await this.client.authorize(this.station);
          await this.client.start(this.station, 1);
        } else if (session.state === 'authorized') {
          await this.client.start(this.station, 1); // the start was cut off by a crash
        } else if (session.state === 'charging') {
          this.keep(await this.client.stop(this.station, 1));
          this.sessions++;
        } else {
          await sleep(100); // starting or stopping: the station is on it
        }
      } catch {
        await sleep(200); // the node is away (or refused): ask again how things stand
      }
    }
  }
}

describe('consumer sessions across kill -9', () => {
  const dataDir = tempDir('cgw-consumer-crash-');
  let gateway: GatewayProcess | undefined;
  after(async () => {
    await gateway?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(`every wallet's receipts match the node's, over ${CYCLES} kill -9 cycles`, async (t) => {
    const [ocppPort, p2pPort] = [await freePort(), await freePort()];
    const env = {
      CGW_DATA_DIR: dataDir, CGW_OCPP_PORT: String(ocppPort), CGW_P2P_LISTEN: `["/ip4/127.0.0.1/tcp/${p2pPort}"]`,
      CGW_SESSIONS_START_TIMEOUT_SEC: '5', CGW_P2P_REQUESTS_PER_SECOND: '50', CGW_P2P_REQUEST_BURST: '100',
    };
    gateway = await spawnGateway(env);
    const stations = Array.from({ length: WALLETS }, (_, i) => new RemoteStation(gateway!.ocppUrl, `CRASH-P2P-${i}`));
    await Promise.all(stations.map((s) => s.start()));
    const drivers: Driver[] = [];
    for (const [i, s] of stations.entries()) {
      await sleep(250); // libp2p takes at most 5 new connections per second from one host
      drivers.push(new Driver(await ConsumerClient.connect({ gateway: gateway.p2p[0]!, signer: ed25519Signer(), timeoutMs: 10_000 }), s.identity));
      await drivers[i]!.start();
    }

    for (let cycle = 0; cycle < CYCLES; cycle++) {
      await sleep(700 + Math.random() * 800);
      assert.equal(await gateway.kill('SIGKILL'), null);
      gateway = await spawnGateway(env);
    }
    await sleep(1_000);
    await Promise.all(drivers.map((d) => d.stop()));
    await Promise.all(stations.map((s) => s.stop()));
    // What gossipsub did not bring live, the wallet fetches: the whole topic once more.
    for (const d of drivers) await d.follow();
    for (const d of drivers) await d.client.close();
    assert.equal(await gateway.kill('SIGTERM'), 0);

    for (const s of stations) assert.deepEqual(s.refused, [], `${s.identity}: every transaction message was taken`);
    const store = await LevelStore.open(join(dataDir, 'state'));
    let finished = 0;
    try {
      for (const d of drivers) {
        assert.deepEqual(d.conflicts, [], `${d.station}: never two different receipts for one session`);
        const keyHex = Buffer.from(d.client.signer.publicKey).toString('hex');
        const stored = (await store.sessions.ofConsumer(keyHex)).filter((s) => s.receipt);
        for (const s of stored) {
          const got = d.receipts.get(s.id);
          assert.ok(got, `${d.station}: the receipt of finished session ${s.id} never reached the wallet`);
          assert.ok(same(got, s.receipt!), `${d.station}: the wallet's receipt of ${s.id} is the stored one`);
        }
        assert.equal(d.receipts.size, stored.length, `${d.station}: every receipt the wallet holds is of a session the node finished`);
        assert.ok(stored.length >= 1, `${d.station}: sessions finished across the crashes`);
        finished += stored.length;
      }
    } finally {
      await store.close();
    }
    t.diagnostic(`${CYCLES} kill -9 cycles: ${finished} sessions finished, each receipt at its wallet and equal to the node's; 0 lost, 0 conflicting`);
  });
});
