import { once } from 'node:events';
import { RPCClient } from 'ocpp-rpc';
import WebSocket from 'ws';

export type OcppVersionName = 'ocpp1.6' | 'ocpp2.0.1';

/** A third-party charge point: ocpp-rpc's RPCClient in strict mode (it also validates what WE send). */
export async function connectRpcClient(url: string, identity: string, version: OcppVersionName, extra: Record<string, unknown> = {}): Promise<any> {
  const client = new RPCClient({
    endpoint: url,
    identity,
    protocols: [version],
    strictMode: true,
    reconnect: false,
    callTimeoutMs: 10_000,
    ...extra,
  } as any);
  await client.connect();
  return client;
}

export const BOOT_16 = { chargePointVendor: 'TestVendor', chargePointModel: 'TestModel', chargePointSerialNumber: 'SN-16' };
export const BOOT_201 = { reason: 'PowerUp', chargingStation: { vendorName: 'TestVendor', model: 'TestModel', serialNumber: 'SN-201' } };

/** A raw WebSocket station, for frames no well-behaved client would send. */
export class RawStation {
  readonly ws: WebSocket;
  /** CALLs the central system sent us (e.g. local list reconciliation); kept apart from replies. */
  readonly calls: unknown[][] = [];
  private readonly inbox: unknown[][] = [];
  private waiters: (() => void)[] = [];

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as unknown[];
      if (frame[0] === 2) {
        this.calls.push(frame);
        return;
      }
      this.inbox.push(frame);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async connect(url: string, protocol: OcppVersionName | OcppVersionName[], options: WebSocket.ClientOptions = {}): Promise<RawStation> {
    const ws = new WebSocket(url, protocol, options);
    // Listen before 'open': the central system's first CALL may come with the upgrade answer.
    const station = new RawStation(ws);
    await once(ws, 'open');
    return station;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The next reply (CALLRESULT/CALLERROR) from the central system (or throws after `ms`). */
  async next(ms = 5000): Promise<unknown[]> {
    const deadline = Date.now() + ms;
    while (this.inbox.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no message from the central system');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
    return this.inbox.shift()!;
  }

  /** Sends a CALL and returns the answer with the same id. */
  async call(id: string, action: string, payload: unknown): Promise<unknown[]> {
    this.send([2, id, action, payload]);
    return this.next();
  }

  /** Asserts silence: resolves true when nothing arrives within `ms`. */
  async quiet(ms = 300): Promise<boolean> {
    await new Promise((r) => setTimeout(r, ms));
    return this.inbox.length === 0;
  }

  close(): void {
    this.ws.close();
  }
}
