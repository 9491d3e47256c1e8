import { connectRpcClient, BOOT_16, BOOT_201, type OcppVersionName } from './clients.ts';

/** What a simulated station was told was accepted: the ground truth after a crash. */
export interface AckLog {
  /** 1.6: start business key -> transaction id the central system answered. */
  starts: Map<string, number>;
  /** 1.6: "<txId>|<timestamp>" of every acknowledged MeterValues. */
  meterValues: Set<string>;
  /** 1.6: transaction ids whose StopTransaction was acknowledged. */
  stops: Set<number>;
  /** 2.0.1: "<transactionId>|<seqNo>" of every acknowledged TransactionEvent. */
  events: Set<string>;
  /** 2.0.1: transaction ids whose Ended event was acknowledged. */
  ended: Set<string>;
  /** Acknowledged StatusNotifications. */
  statuses: number;
}

/**
 * A charge point that runs transactions back to back, like a busy real one: when the
 * central system goes away it waits, reconnects and retries the unanswered message with a
 * NEW message id (as stations do), so the central system must de-duplicate on business keys.
 */
export class SimStation {
  readonly identity: string;
  readonly version: OcppVersionName;
  readonly acked: AckLog = { starts: new Map(), meterValues: new Set(), stops: new Set(), events: new Set(), ended: new Set(), statuses: 0 };
  private client: any;
  private url: string;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private clock = Date.parse('2026-01-01T00:00:00Z');
  private meter = 0;
  private sessions = 0;
  private step = 'boot';
  private failure: string | undefined;

  constructor(url: string, identity: string, version: OcppVersionName) {
    this.url = url;
    this.identity = identity;
    this.version = version;
  }

  async start(): Promise<void> {
    await this.connect();
    await this.call('BootNotification', this.version === 'ocpp1.6' ? BOOT_16 : BOOT_201);
    this.running = true;
    this.loop = this.run();
  }

  /** Points the station at a (restarted) central system; the pending message is retried there. */
  reconnect(url: string): void {
    this.url = url;
    this.wake?.();
  }

  /** Finishes the session in progress, then stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.client?.close({ force: true });
  }

  get completedSessions(): number {
    return this.sessions;
  }

  private async connect(): Promise<void> {
    this.client = await connectRpcClient(this.url, this.identity, this.version, { callTimeoutMs: 5000 });
  }

  private tick(seconds: number): string {
    this.clock += seconds * 1000;
    return new Date(this.clock).toISOString();
  }

  /** Sends until answered, reconnecting (and retrying with a new id) whenever the link drops. */
  private async call(action: string, payload: unknown): Promise<any> {
    this.step = action;
    for (;;) {
      try {
        return await this.client.call(action, payload);
      } catch (err: any) {
        if (err?.rpcErrorCode) throw err; // a real protocol answer, not a lost link
        for (;;) {
          try {
            await this.connect();
            break;
          } catch {
            await new Promise<void>((resolve) => { this.wake = resolve; setTimeout(resolve, 200); });
          }
        }
      }
    }
  }

  private async run(): Promise<void> {
    try {
      while (this.running) {
        this.step = 'session';
        if (this.version === 'ocpp1.6') await this.session16();
        else await this.session201();
        this.sessions++;
      }
    } catch (err) {
      // A refusal ends the station's loop; kept for the test's message.
      this.failure = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    }
  }

  /** Where the station is: its last message and whether it is stuck (for a test's failure message). */
  describe(): string {
    return `${this.identity}: ${this.sessions} sessions, last ${this.step}${this.failure ? `, stopped by ${this.failure}` : ''}`;
  }

  /** A connector status change: each one is a signed event on the station's topic. */
  private async status(status: string): Promise<void> {
    if (this.version === 'ocpp1.6') await this.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status });
    else await this.call('StatusNotification', { timestamp: this.tick(0), connectorStatus: status, evseId: 1, connectorId: 1 });
    this.acked.statuses++;
  }

  private async session16(): Promise<void> {
    const idTag = `${this.identity}-T`;
    const start = { connectorId: 1, idTag, meterStart: this.meter, timestamp: this.tick(60) };
    await this.status('Preparing');
    const { transactionId } = await this.call('StartTransaction', start);
    this.acked.starts.set(JSON.stringify([start.connectorId, idTag, start.meterStart, start.timestamp]), transactionId);
    for (let i = 0; i < 3; i++) {
      this.meter += 250;
      const timestamp = this.tick(60);
      await this.call('MeterValues', { connectorId: 1, transactionId, meterValue: [{ timestamp, sampledValue: [{ value: String(this.meter) }] }] });
      this.acked.meterValues.add(`${transactionId}|${timestamp}`);
    }
    await this.call('StopTransaction', { transactionId, meterStop: this.meter, timestamp: this.tick(60) });
    this.acked.stops.add(transactionId);
    await this.status('Available');
  }

  private async session201(): Promise<void> {
    const transactionId = `${this.identity}-${this.sessions}`;
    const event = async (eventType: string, seqNo: number, extra: object): Promise<void> => {
      const timestamp = this.tick(60);
      await this.call('TransactionEvent', {
        eventType, timestamp, seqNo, triggerReason: 'MeterValuePeriodic', transactionInfo: { transactionId },
        meterValue: [{ timestamp, sampledValue: [{ value: this.meter }] }], ...extra,
      });
      this.acked.events.add(`${transactionId}|${seqNo}`);
    };
    await this.status('Occupied');
    await event('Started', 0, { evse: { id: 1, connectorId: 1 }, idToken: { idToken: `${this.identity}-T`, type: 'Central' } });
    for (let seq = 1; seq <= 3; seq++) {
      this.meter += 250;
      await event('Updated', seq, {});
    }
    await event('Ended', 4, {});
    this.acked.ended.add(transactionId);
    await this.status('Available');
  }
}
