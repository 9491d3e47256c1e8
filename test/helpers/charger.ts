import { connectRpcClient, BOOT_16, BOOT_201, type OcppVersionName } from './clients.ts';

export interface ChargerBehaviour {
  rejectRemoteStart: boolean;
  /** Accept a remote start but never start the transaction (the driver never plugs in). */
  neverStart: boolean;
  rejectRemoteStop: boolean;
  /** Accept a remote stop but never end the transaction (the node goes down before it would). */
  neverStop: boolean;
  /** Answer the next Differential SendLocalList with VersionMismatch. */
  versionMismatchOnce: boolean;
  /** Reported as SendLocalListMaxLength (1.6) / LocalAuthListCtrlr.ItemsPerMessage (2.0.1). */
  maxLength: number;
  /** Report no local list support (1.6 NotSupported). */
  noLocalList: boolean;
  /** Answer ReserveNow with Rejected. */
  rejectReservation: boolean;
  /** Take this long to answer ReserveNow. */
  reserveDelayMs: number;
}

/**
 * A charge point that behaves like a real one on top of ocpp-rpc (strict): it keeps a local
 * authorization list with its version, starts a transaction for an accepted remote start
 * only when the idTag is on its list, and ends it on a remote stop or a local stop. A
 * reserved connector starts only for its idTag, and the start names the reservation.
 */
export class Charger {
  readonly identity: string;
  readonly version: OcppVersionName;
  readonly client: any;
  readonly list = new Map<string, { status?: string; expiry?: string }>();
  listVersion = 0;
  readonly listUpdates: { version: number; updateType: string; entries: string[] }[] = [];
  readonly behaviour: ChargerBehaviour = {
    rejectRemoteStart: false, neverStart: false, rejectRemoteStop: false, neverStop: false, versionMismatchOnce: false, maxLength: 20, noLocalList: false, rejectReservation: false, reserveDelayMs: 0,
  };
  /** Reservations the charger holds, by connector (1.6 connectorId, 2.0.1 evseId). */
  readonly reserved = new Map<number, { id: number; idTag: string }>();
  meter = 10_000;
  private clock = Date.parse('2026-11-21T10:00:00Z');
  /** Open transaction per connector: 1.6 integer id or 2.0.1 string id. */
  readonly open = new Map<number, { id: number | string; seqNo: number; idTag: string }>();
  // 1.6 StartTransactions sent and not yet answered: a RemoteStopTransaction that arrives right
  // behind the answer (in the same read) is for the transaction that answer opens.
  private readonly starting = new Set<Promise<unknown>>();
  private txCounter = 0;

  private constructor(identity: string, version: OcppVersionName, client: any) {
    this.identity = identity;
    this.version = version;
    this.client = client;
    this.handle();
  }

  static async connect(url: string, identity: string, version: OcppVersionName): Promise<Charger> {
    const charger = new Charger(identity, version, await connectRpcClient(url, identity, version));
    await charger.client.call('BootNotification', version === 'ocpp1.6' ? BOOT_16 : BOOT_201);
    return charger;
  }

  get is16(): boolean {
    return this.version === 'ocpp1.6';
  }

  time(advanceS = 60): string {
    this.clock += advanceS * 1000;
    return new Date(this.clock).toISOString();
  }

  async status(connectorId: number, status: string): Promise<void> {
    if (this.is16) await this.client.call('StatusNotification', { connectorId, errorCode: 'NoError', status });
    else await this.client.call('StatusNotification', { timestamp: this.time(0), connectorStatus: status, evseId: connectorId, connectorId: 1 });
  }

  async startTransaction(connectorId: number, idTag: string, remoteStartId?: number): Promise<void> {
    const held = this.reserved.get(connectorId);
    const reservationId = held?.idTag === idTag ? held.id : undefined;
    if (reservationId !== undefined) this.reserved.delete(connectorId);
    if (this.is16) {
      await this.status(connectorId, 'Preparing');
      const started = this.client.call('StartTransaction', {
        connectorId, idTag, meterStart: this.meter, timestamp: this.time(), ...(reservationId === undefined ? {} : { reservationId }),
      }).then(({ transactionId }: { transactionId: number }) => { this.open.set(connectorId, { id: transactionId, seqNo: 0, idTag }); });
      this.starting.add(started);
      try {
        await started;
      } finally {
        this.starting.delete(started);
      }
      await this.status(connectorId, 'Charging');
    } else {
      const id = `${this.identity}-tx-${++this.txCounter}`;
      this.open.set(connectorId, { id, seqNo: 0, idTag });
      await this.status(connectorId, 'Occupied');
      await this.client.call('TransactionEvent', {
        eventType: 'Started', timestamp: this.time(), triggerReason: 'RemoteStart', seqNo: 0,
        transactionInfo: { transactionId: id, chargingState: 'Charging', ...(remoteStartId !== undefined ? { remoteStartId } : {}) },
        idToken: { idToken: idTag, type: 'Central' }, evse: { id: connectorId, connectorId: 1 }, ...(reservationId === undefined ? {} : { reservationId }),
        meterValue: [{ timestamp: this.time(0), sampledValue: [{ value: this.meter }] }],
      });
    }
  }

  /** ReserveNow in either version: Accepted unless the connector is in use or reserved. */
  private reserve(connectorId: number, id: number, idTag: string): string {
    this.commands.push(`ReserveNow:${connectorId}:${idTag}`);
    if (this.behaviour.rejectReservation) return 'Rejected';
    if (this.open.has(connectorId)) return 'Occupied';
    const held = this.reserved.get(connectorId);
    if (held && held.id !== id) return 'Occupied';
    this.reserved.set(connectorId, { id, idTag });
    setImmediate(() => { this.status(connectorId, 'Reserved').catch(() => {}); });
    return 'Accepted';
  }

  private cancelReservation(id: number): string {
    this.commands.push(`CancelReservation:${id}`);
    const connectorId = [...this.reserved].find(([, r]) => r.id === id)?.[0];
    if (connectorId === undefined) return 'Rejected';
    this.reserved.delete(connectorId);
    setImmediate(() => { this.status(connectorId, 'Available').catch(() => {}); });
    return 'Accepted';
  }

  /** A remote start on a connector reserved for another idTag is refused, as a real charger does. */
  private reservedForOther(connectorId: number, idTag: string): boolean {
    const held = this.reserved.get(connectorId);
    return held !== undefined && held.idTag !== idTag;
  }

  /** A meter reading on the connector's open transaction (1.6 optionally with a signed value). */
  /** The open transaction on a connector, once the charger has read the central system's answer. */
  async transactionOn(connectorId: number): Promise<{ id: number | string; seqNo: number; idTag: string }> {
    for (let i = 0; i < 250 && !this.open.has(connectorId); i++) await new Promise((r) => setTimeout(r, 20));
    const tx = this.open.get(connectorId);
    if (!tx) throw new Error(`no transaction on connector ${connectorId}`);
    return tx;
  }

  async meterValues(connectorId: number, addWh: number, signed?: string): Promise<void> {
    const tx = await this.transactionOn(connectorId);
    this.meter += addWh;
    const timestamp = this.time();
    if (this.is16) {
      const sampledValue: object[] = [
        { value: String(this.meter), measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
        { value: '32', measurand: 'Current.Offered', unit: 'A' },
        { value: '230', measurand: 'Voltage', unit: 'V' },
      ];
      if (signed) sampledValue.push({ value: signed, format: 'SignedData', measurand: 'Energy.Active.Import.Register', context: 'Sample.Periodic' });
      await this.client.call('MeterValues', { connectorId, transactionId: tx.id, meterValue: [{ timestamp, sampledValue }] });
    } else {
      await this.client.call('TransactionEvent', {
        eventType: 'Updated', timestamp, triggerReason: 'MeterValuePeriodic', seqNo: ++tx.seqNo, transactionInfo: { transactionId: tx.id },
        meterValue: [{
          timestamp,
          sampledValue: [
            { value: this.meter, ...(signed ? { signedMeterValue: { signedMeterData: signed, signingMethod: 'ECDSA-secp256r1-SHA256', encodingMethod: 'OCMF', publicKey: 'cHVi' } } : {}) },
            { value: 32, measurand: 'Current.Offered', unitOfMeasure: { unit: 'A' } },
            { value: 230, measurand: 'Voltage', unitOfMeasure: { unit: 'V' } },
          ],
        }],
      });
    }
  }

  async stopTransaction(connectorId: number, reason: string): Promise<void> {
    const tx = await this.transactionOn(connectorId);
    this.open.delete(connectorId);
    if (this.is16) {
      await this.client.call('StopTransaction', { transactionId: tx.id, meterStop: this.meter, timestamp: this.time(), idTag: tx.idTag, reason });
      await this.status(connectorId, 'Available');
    } else {
      await this.client.call('TransactionEvent', {
        eventType: 'Ended', timestamp: this.time(), triggerReason: reason === 'Remote' ? 'RemoteStop' : 'StopAuthorized', seqNo: ++tx.seqNo,
        transactionInfo: { transactionId: tx.id, stoppedReason: reason },
        meterValue: [{ timestamp: this.time(0), sampledValue: [{ value: this.meter }] }],
      });
      await this.status(connectorId, 'Available');
    }
  }

  async close(): Promise<void> {
    await this.client.close({ force: true });
  }

  private applyList(version: number, full: boolean, entries: { idTag: string; status?: string; expiry?: string }[]): string {
    if (this.behaviour.noLocalList) return this.is16 ? 'NotSupported' : 'Failed';
    if (!full && this.behaviour.versionMismatchOnce) {
      this.behaviour.versionMismatchOnce = false;
      return 'VersionMismatch';
    }
    if (full) this.list.clear();
    for (const e of entries) {
      if (e.status) this.list.set(e.idTag, { status: e.status, ...(e.expiry ? { expiry: e.expiry } : {}) });
      else this.list.delete(e.idTag);
    }
    this.listVersion = version;
    this.listUpdates.push({ version, updateType: full ? 'Full' : 'Differential', entries: entries.map((e) => `${e.status ? '+' : '-'}${e.idTag}`) });
    return 'Accepted';
  }

  /** Operator commands received, as "Action:detail". */
  readonly commands: string[] = [];

  private handle(): void {
    const c = this.client;
    const later = (fn: () => Promise<void>) => setImmediate(() => { fn().catch(() => {}); });
    c.handle('TriggerMessage', ({ params }: any) => {
      this.commands.push(`TriggerMessage:${params.requestedMessage}`);
      if (params.requestedMessage === 'Heartbeat') later(async () => { await c.call('Heartbeat', {}); });
      return { status: 'Accepted' };
    });
    c.handle('UnlockConnector', ({ params }: any) => {
      this.commands.push(`UnlockConnector:${params.connectorId}`);
      return { status: 'Unlocked' };
    });
    c.handle('ChangeAvailability', ({ params }: any) => {
      this.commands.push(`ChangeAvailability:${params.type ?? params.operationalStatus}`);
      return { status: 'Accepted' };
    });
    c.handle('ReserveNow', async ({ params }: any) => {
      if (this.behaviour.reserveDelayMs) await new Promise((r) => setTimeout(r, this.behaviour.reserveDelayMs));
      return { status: this.is16 ? this.reserve(params.connectorId, params.reservationId, params.idTag) : this.reserve(params.evseId ?? 0, params.id, params.idToken.idToken) };
    });
    c.handle('CancelReservation', ({ params }: any) => ({ status: this.cancelReservation(params.reservationId) }));
    if (this.is16) {
      c.handle('GetLocalListVersion', () => ({ listVersion: this.behaviour.noLocalList ? -1 : this.listVersion }));
      c.handle('SendLocalList', ({ params }: any) => ({
        status: this.applyList(params.listVersion, params.updateType === 'Full',
          (params.localAuthorizationList ?? []).map((e: any) => ({ idTag: e.idTag, status: e.idTagInfo?.status, expiry: e.idTagInfo?.expiryDate }))),
      }));
      c.handle('GetConfiguration', ({ params }: any) => ({
        configurationKey: (params.key ?? []).includes('SendLocalListMaxLength') ? [{ key: 'SendLocalListMaxLength', readonly: true, value: String(this.behaviour.maxLength) }] : [],
      }));
      c.handle('RemoteStartTransaction', ({ params }: any) => {
        if (this.behaviour.rejectRemoteStart || !this.list.has(params.idTag) || this.reservedForOther(params.connectorId, params.idTag)) return { status: 'Rejected' };
        if (!this.behaviour.neverStart) later(() => this.startTransaction(params.connectorId, params.idTag));
        return { status: 'Accepted' };
      });
      c.handle('RemoteStopTransaction', async ({ params }: any) => {
        if (![...this.open.values()].some((tx) => tx.id === params.transactionId)) await Promise.allSettled([...this.starting]);
        const connector = [...this.open].find(([, tx]) => tx.id === params.transactionId)?.[0];
        if (this.behaviour.rejectRemoteStop || connector === undefined) return { status: 'Rejected' };
        if (!this.behaviour.neverStop) later(() => this.stopTransaction(connector, 'Remote'));
        return { status: 'Accepted' };
      });
    } else {
      c.handle('GetLocalListVersion', () => ({ versionNumber: this.listVersion }));
      c.handle('SendLocalList', ({ params }: any) => ({
        status: this.applyList(params.versionNumber, params.updateType === 'Full',
          (params.localAuthorizationList ?? []).map((e: any) => ({ idTag: e.idToken.idToken, status: e.idTokenInfo?.status, expiry: e.idTokenInfo?.cacheExpiryDateTime }))),
      }));
      c.handle('GetVariables', ({ params }: any) => ({
        getVariableResult: params.getVariableData.map((d: any) => ({ attributeStatus: 'Accepted', attributeValue: String(this.behaviour.maxLength), component: d.component, variable: d.variable })),
      }));
      c.handle('RequestStartTransaction', ({ params }: any) => {
        if (this.behaviour.rejectRemoteStart || !this.list.has(params.idToken.idToken) || this.reservedForOther(params.evseId, params.idToken.idToken)) return { status: 'Rejected', statusInfo: { reasonCode: 'InvalidToken' } };
        if (!this.behaviour.neverStart) later(() => this.startTransaction(params.evseId, params.idToken.idToken, params.remoteStartId));
        return { status: 'Accepted' };
      });
      c.handle('RequestStopTransaction', ({ params }: any) => {
        const connector = [...this.open].find(([, tx]) => tx.id === params.transactionId)?.[0];
        if (this.behaviour.rejectRemoteStop || connector === undefined) return { status: 'Rejected' };
        later(() => this.stopTransaction(connector, 'Remote'));
        return { status: 'Accepted' };
      });
    }
  }
}
