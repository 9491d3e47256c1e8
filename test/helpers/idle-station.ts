import { once } from 'node:events';
import WebSocket from 'ws';

// What an idle 1.6 charger answers the central system's calls with.
const ANSWERS: Record<string, object> = {
  GetLocalListVersion: { listVersion: 0 },
  SendLocalList: { status: 'Accepted' },
  ChangeConfiguration: { status: 'Accepted' },
  GetConfiguration: { configurationKey: [] },
  TriggerMessage: { status: 'Accepted' },
};

/**
 * A lightweight 1.6 charge point on a bare `ws` socket, for thousands at once (benchmarks,
 * reconnect storms): it sends CALLs one at a time and answers the central system's CALLs like
 * an idle charger. `callsReceived` counts what the central system asked, by action.
 */
export class IdleStation {
  readonly ws: WebSocket;
  readonly callsReceived = new Map<string, number>();
  private readonly waiting = new Map<string, (frame: unknown[]) => void>();
  private next = 0;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as unknown[];
      const [type, id, action] = frame as [number, string, string];
      if (type === 2) {
        this.callsReceived.set(action, (this.callsReceived.get(action) ?? 0) + 1);
        ws.send(JSON.stringify([3, id, ANSWERS[action] ?? {}]));
        return;
      }
      this.waiting.get(id)?.(frame);
      this.waiting.delete(id);
    });
  }

  static async connect(url: string, options: WebSocket.ClientOptions = {}): Promise<IdleStation> {
    const ws = new WebSocket(url, 'ocpp1.6', options);
    // Listen before 'open': a central system may send its first CALL in the same packet as the
    // upgrade answer, and ws emits it before an await after 'open' would return.
    const station = new IdleStation(ws);
    await Promise.race([once(ws, 'open'), once(ws, 'error').then(([err]) => { throw err as Error; })]);
    return station;
  }

  /** Sends a CALL; resolves with the answer frame (CALLRESULT or CALLERROR), rejects when the socket closes first. */
  call(action: string, payload: object): Promise<unknown[]> {
    const id = `c${this.next++}`;
    return new Promise((resolve, reject) => {
      const onClose = (): void => reject(new Error('connection closed before the answer'));
      this.ws.once('close', onClose);
      this.waiting.set(id, (frame) => {
        this.ws.off('close', onClose);
        resolve(frame);
      });
      this.ws.send(JSON.stringify([2, id, action, payload]));
    });
  }

  async boot(): Promise<void> {
    const [type] = await this.call('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' });
    if (type !== 3) throw new Error('boot refused');
  }
}
