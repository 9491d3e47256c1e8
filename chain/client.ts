import { connect } from 'node:net';
import { ApiPromise, WsProvider } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { KeyringPair } from '@polkadot/keyring/types';
import { createKeyMulti, encodeAddress } from '@polkadot/util-crypto';
import { peaqApiOptions } from './peaq-types.ts';

/** What the connected runtime offers; calls are built from this, never from assumptions. */
export interface ChainFeatures {
  specName: string;
  /** current: as_multi(threshold, others, timepoint, call, Weight{refTime, proofSize}); legacy: with store_call and a u64 weight. */
  multisig: 'current' | 'legacy' | 'none';
  /** peaq's `transaction` pallet (service_requested / service_delivered). */
  transactionPallet: boolean;
  peaqDid: boolean;
  remarkWithEvent: boolean;
  /** transferKeepAlive where it exists (balances.transfer is gone from current runtimes). */
  transfer: 'transferKeepAlive' | 'transfer';
  ss58Prefix: number;
  decimals: number;
  symbol: string;
}

export interface Inclusion {
  blockHash: string;
  blockNumber: number;
  /** Position of the extrinsic in its block: the multisig timepoint index. */
  index: number;
  txHash: string;
}

/** A chain transaction was refused by the runtime (dispatch error), with its reason. */
export class ChainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChainError';
  }
}

/**
 * One long-lived connection to a Substrate chain through @polkadot/api, kept up by its own
 * supervisor. Node 22's built-in WebSocket fires no `close` after a refused connection, so
 * the provider's own retry never runs (and leaks a timer): instead the supervisor waits until
 * the chain's port accepts TCP, then opens a fresh provider and API; when that connection
 * drops it starts over. Transactions go out with `nonce: -1` and are awaited until in a block.
 */
export class ChainClient {
  readonly endpoint: string;
  private current: ApiPromise | undefined;
  private detected: ChainFeatures | undefined;
  private stopped = false;
  private readonly waiters: (() => void)[] = [];
  private readonly onChange: (event: 'ready' | 'disconnected') => void;

  private constructor(endpoint: string, onChange: (event: 'ready' | 'disconnected') => void) {
    this.endpoint = endpoint;
    this.onChange = onChange;
    void this.supervise();
  }

  /** Starts connecting (and reconnecting) in the background and returns at once. */
  static open(endpoint: string, onChange: (event: 'ready' | 'disconnected') => void = () => {}): ChainClient {
    return new ChainClient(endpoint, onChange);
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

  /** What the runtime offers; throws before the chain was reached. */
  get features(): ChainFeatures {
    if (!this.detected) throw new Error(`the chain at ${this.endpoint} has not been reached yet`);
    return this.detected;
  }

  private async supervise(): Promise<void> {
    const { hostname, port, protocol } = new URL(this.endpoint);
    const tcpPort = Number(port) || (protocol === 'wss:' ? 443 : 80);
    // Backoff while the chain is away: 0.5 s, doubling to 15 s; back to the start once connected.
    let delay = 500;
    const pause = async (): Promise<void> => {
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 15_000);
    };
    while (!this.stopped) {
      if (!(await reachable(hostname, tcpPort))) {
        await pause();
        continue;
      }
      const api = new ApiPromise({ provider: new WsProvider(this.endpoint, 0), noInitWarn: true, ...peaqApiOptions() });
      api.on('error', () => {});
      const dropped = new Promise<void>((resolve) => api.once('disconnected', () => resolve()));
      try {
        await api.connect();
        await Promise.race([api.isReadyOrError, dropped.then(() => { throw new Error('dropped while connecting'); })]);
      } catch {
        await api.disconnect().catch(() => {});
        await pause();
        continue;
      }
      delay = 500;
      this.current = api;
      this.detected = detect(api);
      for (const w of this.waiters.splice(0)) w();
      this.onChange('ready');
      await dropped;
      this.current = undefined;
      await api.disconnect().catch(() => {});
      if (!this.stopped) this.onChange('disconnected');
    }
  }

  address(publicKey: Uint8Array): string {
    return encodeAddress(publicKey, this.features.ss58Prefix);
  }

  /** The 2-of-2 (or n-of-m) multisig account of these keys, as the Multisig pallet derives it. */
  multisigAddress(keys: Uint8Array[], threshold = 2): string {
    return encodeAddress(createKeyMulti(keys, threshold), this.features.ss58Prefix);
  }

  async freeBalance(address: string): Promise<bigint> {
    const account = (await this.api.query.system.account(address)) as unknown as { data: { free: { toBigInt(): bigint } } };
    return account.data.free.toBigInt();
  }

  transfer(to: string, amount: bigint): SubmittableExtrinsic<'promise'> {
    return this.api.tx.balances[this.features.transfer]!(to, amount);
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
    const fee = await this.estimateFee(tx, signer.address);
    const free = await this.freeBalance(signer.address);
    if (free < fee) throw new ChainError(`${signer.address} holds ${free}, not enough for the fee of ${fee}`);
    return this.send(tx, signer, finality);
  }

  private send(tx: SubmittableExtrinsic<'promise'>, signer: KeyringPair, finality: boolean): Promise<Inclusion> {
    return new Promise((resolve, reject) => {
      tx.signAndSend(signer, { nonce: -1 }, (result) => {
        if (result.dispatchError) {
          const e = result.dispatchError;
          if (e.isModule) {
            const meta = this.api.registry.findMetaError(e.asModule);
            reject(new ChainError(`${meta.section}.${meta.name}: ${meta.docs.join(' ')}`));
          } else {
            reject(new ChainError(e.toString()));
          }
          return;
        }
        if (finality ? result.status.isFinalized : result.status.isInBlock) {
          const blockHash = (finality ? result.status.asFinalized : result.status.asInBlock).toHex();
          this.api.rpc.chain.getHeader(blockHash).then(
            (header) => resolve({ blockHash, blockNumber: header.number.toNumber(), index: result.txIndex ?? 0, txHash: tx.hash.toHex() }),
            reject,
          );
        }
      }).catch((err: unknown) => reject(err instanceof Error ? new ChainError(err.message) : err));
    });
  }

  async disconnect(): Promise<void> {
    this.stopped = true;
    const api = this.current;
    this.current = undefined;
    await api?.disconnect();
  }
}

/** Whether a TCP connection to host:port is accepted now. */
function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => { socket.destroy(); resolve(ok); };
    socket.setTimeout(2_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function detect(api: ApiPromise): ChainFeatures {
  // The augmented types claim every pallet exists; the metadata of this chain decides.
  const tx = api.tx as unknown as Record<string, Record<string, unknown> | undefined>;
  const has = (pallet: string, call: string): boolean => Boolean(tx[pallet]?.[call]);
  const asMulti = has('multisig', 'asMulti') ? api.tx.multisig.asMulti : undefined;
  const args = asMulti?.meta.args.map((a) => a.name.toString()) ?? [];
  const tokenDecimals = api.registry.chainDecimals[0] ?? 12;
  return {
    specName: api.runtimeVersion.specName.toString(),
    multisig: !asMulti ? 'none' : args.includes('storeCall') ? 'legacy' : 'current',
    transactionPallet: has('transaction', 'serviceDelivered'),
    peaqDid: has('peaqDid', 'addAttribute'),
    remarkWithEvent: has('system', 'remarkWithEvent'),
    transfer: has('balances', 'transferKeepAlive') ? 'transferKeepAlive' : 'transfer',
    ss58Prefix: api.registry.chainSS58 ?? 42,
    decimals: tokenDecimals,
    symbol: api.registry.chainTokens[0] ?? 'UNIT',
  };
}
