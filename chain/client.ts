import WebSocket from 'ws';
import { ApiPromise, WsProvider } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { KeyringPair } from '@polkadot/keyring/types';
import { createKeyMulti, encodeAddress } from '@polkadot/util-crypto';
import { KeyedQueue } from '../src/domain/keyed-queue.ts';
import { peaqApiOptions } from './peaq-types.ts';
import { formatAmount } from '../src/domain/amounts.ts';
import { detectShape, type MetadataView, type RuntimeShape } from './runtime.ts';

export interface Inclusion {
  blockHash: string;
  blockNumber: number;
  /** Position of the extrinsic in its block: the multisig timepoint index. */
  index: number;
  txHash: string;
  /** The extrinsic's own events, e.g. multiSig.MultisigExecuted with its result. */
  events: ChainEvent[];
}

/** An event as the chain emitted it: pallet, name and its fields as JSON. */
export interface ChainEvent {
  section: string;
  method: string;
  data: unknown[];
}

/** How long a submitted transaction may take to reach a block before the wait gives up. */
const INCLUSION_TIMEOUT_MS = 60_000;

/** A chain transaction was refused by the runtime (dispatch error), with its reason. */
export class ChainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChainError';
  }
}

// How long a fresh connection may take to read the chain's metadata before it is tried again.
const READY_TIMEOUT_MS = 30_000;
// How long the WebSocket upgrade may take (TCP and TLS included).
const HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * One long-lived connection to a Substrate chain through @polkadot/api, kept up by its own
 * supervisor. Node 22's built-in WebSocket fires no `close` after a refused connection, so
 * the provider's own retry never runs (and leaks a timer): instead the supervisor waits until
 * the endpoint completes a WebSocket upgrade, then opens a fresh provider and API, given up when
 * it has not read the metadata in time; when that connection drops it starts over. Transactions go out with `nonce: -1` and are awaited until in a block.
 */
export class ChainClient {
  readonly endpoint: string;
  private current: ApiPromise | undefined;
  // The API being connected, not ready yet (closed at once by disconnect).
  private connecting: ApiPromise | undefined;
  // Ends the backoff's wait early (disconnect).
  private wake: (() => void) | undefined;
  private detected: RuntimeShape | undefined;
  private stopped = false;
  private readonly waiters: (() => void)[] = [];
  private readonly submissions = new KeyedQueue();
  private readonly onChange: (event: 'ready' | 'disconnected') => void;
  private readonly readyTimeoutMs: number;

  private constructor(endpoint: string, onChange: (event: 'ready' | 'disconnected') => void, readyTimeoutMs: number) {
    this.endpoint = endpoint;
    this.onChange = onChange;
    this.readyTimeoutMs = readyTimeoutMs;
    void this.supervise();
  }

  /**
   * Starts connecting (and reconnecting) in the background and returns at once. A connection
   * that has not read the chain's metadata within `readyTimeoutMs` is given up and tried again.
   */
  static open(endpoint: string, onChange: (event: 'ready' | 'disconnected') => void = () => {}, { readyTimeoutMs = READY_TIMEOUT_MS } = {}): ChainClient {
    return new ChainClient(endpoint, onChange, readyTimeoutMs);
  }

  /** Opens and waits until the chain answered (for scripts and tests). */
  static async connect(endpoint: string, timeoutMs = 30_000): Promise<ChainClient> {
    const client = ChainClient.open(endpoint);
    try {
      await client.ready(timeoutMs);
    } catch (err) {
      await client.disconnect();
      throw err;
    }
    return client;
  }

  /** The API of the live connection; throws while the chain is away. */
  get api(): ApiPromise {
    if (!this.current || !this.detected) throw new Error(`the chain at ${this.endpoint} is not connected`);
    return this.current;
  }

  /** Resolves once the chain has answered and its metadata is read. */
  ready(timeoutMs: number): Promise<void> {
    if (this.isConnected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no chain answered at ${this.endpoint} within ${timeoutMs / 1000} s`)), timeoutMs);
      this.waiters.push(() => { clearTimeout(timer); resolve(); });
    });
  }

  get isConnected(): boolean {
    return Boolean(this.current?.isConnected && this.detected);
  }

  /** The call shapes the runtime offers; throws before the chain was reached. */
  get shape(): RuntimeShape {
    if (!this.detected) throw new Error(`the chain at ${this.endpoint} has not been reached yet`);
    return this.detected;
  }

  private async supervise(): Promise<void> {
    // Backoff while the chain is away: 0.5 s, doubling to 15 s; back to the start once connected.
    let delay = 500;
    const pause = async (): Promise<void> => {
      await this.sleep(delay);
      delay = Math.min(delay * 2, 15_000);
    };
    while (!this.stopped) {
      // The upgrade is tried with `ws` first: the provider's own socket (Node's built-in
      // WebSocket) fires no close when it is given up before it opened, and the provider then
      // keeps its timers for ever.
      if (!(await upgrades(this.endpoint, Math.min(HANDSHAKE_TIMEOUT_MS, this.readyTimeoutMs)))) {
        await pause();
        continue;
      }
      if (this.stopped) break;
      const api = new ApiPromise({ provider: new WsProvider(this.endpoint, 0), noInitWarn: true, ...peaqApiOptions() });
      this.connecting = api;
      api.on('error', () => {});
      const dropped = new Promise<void>((resolve) => api.once('disconnected', () => resolve()));
      const ready = await this.becameReady(api, dropped);
      if (!ready || this.stopped) {
        await api.disconnect().catch(() => {});
        await pause();
        continue;
      }
      delay = 500;
      this.current = api;
      this.detected = detectShape(viewOf(api));
      for (const w of this.waiters.splice(0)) w();
      this.onChange('ready');
      await dropped;
      this.current = undefined;
      await api.disconnect().catch(() => {});
      if (!this.stopped) this.onChange('disconnected');
    }
  }

  /**
   * Whether the API read the chain's metadata within readyTimeoutMs: a node that took the
   * connection but never answers (still starting) would otherwise be waited on for ever.
   */
  private async becameReady(api: ApiPromise, dropped: Promise<void>): Promise<boolean> {
    let gaveUp: NodeJS.Timeout | undefined;
    const tooSlow = new Promise<never>((_, reject) => { gaveUp = setTimeout(() => reject(new Error('no metadata in time')), this.readyTimeoutMs); });
    try {
      await Promise.race([
        api.connect().then(() => api.isReadyOrError),
        dropped.then(() => { throw new Error('dropped while connecting'); }),
        tooSlow,
      ]);
      return true;
    } catch {
      return false;
    } finally {
      clearTimeout(gaveUp);
      this.connecting = undefined;
    }
  }

  /** Waits `ms`, or less when the client is stopped meanwhile. */
  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  address(publicKey: Uint8Array): string {
    return encodeAddress(publicKey, this.shape.ss58Prefix);
  }

  /** The 2-of-2 (or n-of-m) multisig account of these keys, as the Multisig pallet derives it. */
  multisigAddress(keys: Uint8Array[], threshold = 2): string {
    return encodeAddress(createKeyMulti(keys, threshold), this.shape.ss58Prefix);
  }

  /** The free balance now, or at a given block (so it can be read beside other state of that block). */
  async freeBalance(address: string, blockHash?: string): Promise<bigint> {
    const api = blockHash ? await this.api.at(blockHash) : this.api;
    const account = (await api.query.system.account(address)) as unknown as { data: { free: { toBigInt(): bigint } } };
    return account.data.free.toBigInt();
  }

  /** The best block now: its hash and number. */
  async head(): Promise<{ hash: string; number: number }> {
    const header = await this.api.rpc.chain.getHeader();
    return { hash: header.hash.toHex(), number: header.number.toNumber() };
  }

  /** A transfer that keeps the sender alive (funding a deposit). */
  transfer(to: string, amount: bigint): SubmittableExtrinsic<'promise'> {
    return this.api.tx.balances[this.shape.transfer]!(to, amount);
  }

  /** An amount as a person reads it, in this chain's decimals and symbol. */
  format(amount: bigint): string {
    return formatAmount(amount, this.shape.decimals, this.shape.symbol);
  }

  /** The fee the chain would charge `from` for this transaction. */
  async estimateFee(tx: SubmittableExtrinsic<'promise'>, from: string): Promise<bigint> {
    return (await tx.paymentInfo(from)).partialFee.toBigInt();
  }

  /**
   * Signs, submits and waits until the transaction is in a block (or finalized, with
   * `finality`); a dispatch error throws ChainError. The fee is estimated first, so an
   * account that cannot pay is told so before anything is sent.
   */
  async submit(tx: SubmittableExtrinsic<'promise'>, signer: KeyringPair, finality = false): Promise<Inclusion> {
    // One transaction of an account at a time: two sent together would both take the next
    // nonce from the node (its pool does not count the first yet), and one would never land.
    return this.submissions.run(signer.address, async () => {
      const fee = await this.estimateFee(tx, signer.address);
      const free = await this.freeBalance(signer.address);
      if (free < fee) throw new ChainError(`${signer.address} holds ${free}, not enough for the fee of ${fee}`);
      return this.send(tx, signer, finality);
    });
  }

  private send(tx: SubmittableExtrinsic<'promise'>, signer: KeyringPair, finality: boolean): Promise<Inclusion> {
    return new Promise((resolve, reject) => {
      let settled = false;
      let unsubscribe: (() => void) | undefined;
      const finish = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        unsubscribe?.();
        fn();
      };
      // A status update can be lost (a dropped subscription); the wait never outlasts this.
      const timer = setTimeout(() => finish(() => reject(new ChainError(
        `the transaction ${tx.hash.toHex()} was not ${finality ? 'finalized' : 'in a block'} within ${INCLUSION_TIMEOUT_MS / 1000} s; check the account on chain before sending it again`,
      ))), INCLUSION_TIMEOUT_MS);
      tx.signAndSend(signer, { nonce: -1 }, (result) => {
        if (result.dispatchError) {
          const e = result.dispatchError;
          const message = e.isModule ? (() => { const m = this.api.registry.findMetaError(e.asModule); return `${m.section}.${m.name}: ${m.docs.join(' ')}`; })() : e.toString();
          finish(() => reject(new ChainError(message)));
          return;
        }
        const { status } = result;
        if (status.isInvalid || status.isDropped || status.isUsurped) {
          finish(() => reject(new ChainError(`the chain did not take the transaction ${tx.hash.toHex()} (${status.type}); it may still be included through another node: check the account before sending it again`)));
          return;
        }
        // Finalized counts as in a block: a node may send it without the InBlock before it
        // (seen: InBlock lost, the wait ran out although the transaction was in a block).
        if (status.isFinalized || (!finality && status.isInBlock)) {
          const blockHash = (status.isFinalized ? status.asFinalized : status.asInBlock).toHex();
          const events = result.events.map(({ event }) => ({ section: event.section, method: event.method, data: event.data.toJSON() as unknown[] }));
          this.api.rpc.chain.getHeader(blockHash).then(
            (header) => finish(() => resolve({ blockHash, blockNumber: header.number.toNumber(), index: result.txIndex ?? 0, txHash: tx.hash.toHex(), events })),
            (err: unknown) => finish(() => reject(err)),
          );
        }
      }).then((unsub) => {
        if (settled) unsub();
        else unsubscribe = unsub;
      }, (err: unknown) => finish(() => reject(err instanceof Error ? new ChainError(err.message) : err)));
    });
  }

  async disconnect(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    const api = this.current;
    this.current = undefined;
    await this.connecting?.disconnect().catch(() => {});
    await api?.disconnect();
  }
}

/** Whether the endpoint completes a WebSocket upgrade within `timeoutMs` (the socket is closed again). */
function upgrades(endpoint: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const ws = new WebSocket(endpoint, { handshakeTimeout: timeoutMs });
    const done = (ok: boolean): void => {
      ws.removeAllListeners();
      ws.on('error', () => {});
      ws.terminate();
      resolve(ok);
    };
    ws.once('open', () => done(true));
    ws.once('error', () => done(false));
  });
}

/** The live API as a metadata view (the augmented types claim every pallet exists; the metadata decides). */
function viewOf(api: ApiPromise): MetadataView {
  return {
    tx: api.tx as unknown as MetadataView['tx'],
    consts: api.consts as unknown as MetadataView['consts'],
    registry: api.registry,
    specName: api.runtimeVersion.specName.toString(),
  };
}
