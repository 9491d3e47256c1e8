import { connectRpcClient, BOOT_16 } from './clients.ts';

type Command = { kind: 'start'; idTag: string } | { kind: 'stop'; transactionId: number };

/**
 * A 1.6 charge point driven from the central system, like one whose drivers start and stop
 * through an app: it keeps the local authorization list it is sent, starts a transaction for
 * an accepted RemoteStartTransaction, reports one meter value, and stops on
 * RemoteStopTransaction. Like a real station it reconnects whenever the link drops and retries
 * an unanswered transaction message (with a new message id) until it is answered.
 */
export class RemoteStation {
  readonly identity: string;
  /** Transaction ids whose StopTransaction the central system acknowledged. */
  readonly stopped = new Set<number>();
  /** CALLERRORs the central system answered a transaction message with (a station could only drop the message). */
  readonly refused: string[] = [];
  private client: any;
  private url: string;
  private running = true;
  private readonly list = new Map<string, string>();
  private listVersion = 0;
  private open: { id: number; idTag: string } | undefined;
  private busy = false;
  private readonly commands: Command[] = [];
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private clock = Date.parse('2026-06-01T00:00:00Z');
  private meter = 0;

  constructor(url: string, identity: string) {
    this.url = url;
    this.identity = identity;
  }

  async start(): Promise<void> {
    await this.connect();
    await this.call('BootNotification', BOOT_16);
    await this.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
    this.loop = this.run();
  }

  /** Finishes what it was asked to do, then disconnects. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.client?.close({ force: true });
  }

  private async connect(): Promise<void> {
    for (;;) {
      try {
        const client = await connectRpcClient(this.url, this.identity, 'ocpp1.6', { callTimeoutMs: 5000 });
        this.handle(client);
        this.client = client;
        client.once('close', () => { if (this.running) this.wake?.(); });
        return;
      } catch {
        if (!this.running && !this.busy) return;
        await new Promise((r) => setTimeout(r, 150));
      }
    }
  }

  /** Sends until answered, reconnecting (and retrying with a new message id) whenever the link drops. */
  private async call(action: string, payload: unknown): Promise<any> {
    for (;;) {
      try {
        return await this.client.call(action, payload);
      } catch (err: any) {
        if (err?.rpcErrorCode) throw err;
        await this.connect();
      }
    }
  }

  private handle(client: any): void {
    client.handle('GetLocalListVersion', () => ({ listVersion: this.listVersion }));
    client.handle('GetConfiguration', () => ({ configurationKey: [] }));
    client.handle('SendLocalList', ({ params }: any) => {
      if (params.updateType === 'Full') this.list.clear();
      for (const e of params.localAuthorizationList ?? []) {
        if (e.idTagInfo?.status) this.list.set(e.idTag, e.idTagInfo.status);
        else this.list.delete(e.idTag);
      }
      this.listVersion = params.listVersion;
      return { status: 'Accepted' };
    });
    client.handle('RemoteStartTransaction', ({ params }: any) => {
      if (this.open || this.busy || this.list.get(params.idTag) !== 'Accepted') return { status: 'Rejected' };
      this.enqueue({ kind: 'start', idTag: params.idTag });
      return { status: 'Accepted' };
    });
    client.handle('RemoteStopTransaction', ({ params }: any) => {
      if (this.open?.id !== params.transactionId || this.busy) return { status: 'Rejected' };
      this.enqueue({ kind: 'stop', transactionId: params.transactionId });
      return { status: 'Accepted' };
    });
  }

  private enqueue(command: Command): void {
    this.busy = true;
    this.commands.push(command);
    this.wake?.();
  }

  private time(): string {
    this.clock += 60_000;
    return new Date(this.clock).toISOString();
  }

  private async run(): Promise<void> {
    while (this.running || this.commands.length) {
      const command = this.commands.shift();
      if (!command) {
        // Idle: wait for a command, or for the link to drop (then reconnect at once).
        await new Promise<void>((resolve) => { this.wake = resolve; setTimeout(resolve, 200); });
        if (this.running && this.client?.state !== 1) await this.connect(); // 1: OPEN
        continue;
      }
      try {
        if (command.kind === 'start') {
          const { transactionId } = await this.call('StartTransaction', { connectorId: 1, idTag: command.idTag, meterStart: this.meter, timestamp: this.time() });
          this.open = { id: transactionId, idTag: command.idTag };
          this.meter += 500;
          await this.call('MeterValues', { connectorId: 1, transactionId, meterValue: [{ timestamp: this.time(), sampledValue: [{ value: String(this.meter) }] }] });
        } else {
          await this.call('StopTransaction', { transactionId: command.transactionId, meterStop: this.meter, timestamp: this.time(), reason: 'Remote' });
          this.stopped.add(command.transactionId);
          this.open = undefined;
        }
      } catch (err: any) {
        this.refused.push(`${command.kind}: ${err?.rpcErrorCode ?? ''} ${err?.message ?? err}`);
      } finally {
        this.busy = false;
      }
    }
  }
}
