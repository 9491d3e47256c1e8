import { parseArgs } from 'node:util';
import { RPCClient } from 'ocpp-rpc';
import { loadConfig } from './config/load.ts';
import { simulateTransfers } from './simulated-transfers.ts';

export const SIMULATE_HELP = `charging-gateway simulate-station: a simulated charge point (OCPP 1.6 or 2.0.1), for trying the gateway without hardware

Usage:
  charging-gateway simulate-station IDENTITY [--ocpp 1.6|2.0.1] [--password PASSWORD] [--url ws://HOST:PORT/PATH]
                                             [--config FILE] [--connectors 2] [--power-kw 11]

It connects to the node of this configuration (ocpp.port and ocpp.path, as \`start\` reads them:
--config, CGW_CONFIG, CGW_* variables) unless --url names another. --password (or
CGW_STATION_PASSWORD) is its basic-auth password (security profile 1). It boots, reports its
connectors Available, keeps the local list it is sent, accepts remote start/stop for idTags on it,
and while charging sends meter values every 5 s at the given power. It downloads and "installs"
firmware it is sent (rebooting), and uploads a log when asked (1.6 GetDiagnostics, GetLog). A
connector it is asked to reserve reports Reserved and starts only for that idTag; one taken out
of service reports Unavailable. Ctrl-C ends its transactions and disconnects it.`;

type Call = (action: string, payload: object) => Promise<unknown>;

/** What differs between the versions: the messages a charge point sends and how it reads the CSMS's. */
interface Protocol {
  boot: object;
  status(connectorId: number, status: 'Available' | 'Preparing' | 'Charging' | 'Reserved' | 'Unavailable'): object;
  start(call: Call, connectorId: number, idTag: string, meterWh: number, remoteStartId?: number, reservationId?: number): Promise<string | number>;
  meter(call: Call, connectorId: number, txId: string | number, meterWh: number, currentA: number, seqNo: number): Promise<unknown>;
  stop(call: Call, connectorId: number, txId: string | number, meterWh: number, reason: string, seqNo: number): Promise<unknown>;
}

const now = () => new Date().toISOString();

const PHASES = ['L1', 'L2', 'L3'] as const;

const V16: Protocol = {
  boot: { chargePointVendor: 'charging-gateway', chargePointModel: 'simulated' },
  status: (connectorId, status) => ({ connectorId, errorCode: 'NoError', status }),
  async start(call, connectorId, idTag, meterWh, _remoteStartId, reservationId) {
    const start = { connectorId, idTag, meterStart: meterWh, timestamp: now(), ...(reservationId === undefined ? {} : { reservationId }) };
    return ((await call('StartTransaction', start)) as { transactionId: number }).transactionId;
  },
  meter: (call, connectorId, transactionId, meterWh, currentA) => call('MeterValues', {
    connectorId, transactionId,
    meterValue: [{ timestamp: now(), sampledValue: [
      { value: String(meterWh), measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
      // Three phases at 230 V: the current of each phase, and the power they make together.
      ...PHASES.map((phase) => ({ value: currentA.toFixed(1), measurand: 'Current.Import', unit: 'A', phase })),
      { value: '230', measurand: 'Voltage', unit: 'V', phase: 'L1-N' },
      { value: (currentA * 230 * PHASES.length).toFixed(0), measurand: 'Power.Active.Import', unit: 'W' },
    ] }],
  }),
  stop: (call, _connectorId, transactionId, meterWh, reason) => call('StopTransaction', { transactionId, meterStop: meterWh, timestamp: now(), reason }),
};

const energy = (meterWh: number, currentA?: number) => [{
  timestamp: now(),
  sampledValue: [
    { value: meterWh, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'Wh' } },
    ...(currentA === undefined ? [] : [
      ...PHASES.map((phase) => ({ value: Number(currentA.toFixed(1)), measurand: 'Current.Import', phase, unitOfMeasure: { unit: 'A' } })),
      { value: Math.round(currentA * 230 * PHASES.length), measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'W' } },
    ]),
  ],
}];

const V201: Protocol = {
  boot: { reason: 'PowerUp', chargingStation: { model: 'simulated', vendorName: 'charging-gateway' } },
  status: (evseId, status) => ({ timestamp: now(), connectorStatus: status === 'Preparing' || status === 'Charging' ? 'Occupied' : status, evseId, connectorId: 1 }),
  async start(call, evseId, idTag, meterWh, remoteStartId, reservationId) {
    const transactionId = `${evseId}-${Date.now()}`;
    await call('TransactionEvent', {
      eventType: 'Started', timestamp: now(), triggerReason: remoteStartId === undefined ? 'Authorized' : 'RemoteStart', seqNo: 0,
      transactionInfo: { transactionId, chargingState: 'Charging', ...(remoteStartId === undefined ? {} : { remoteStartId }) },
      idToken: { idToken: idTag, type: 'Central' }, evse: { id: evseId, connectorId: 1 }, meterValue: energy(meterWh), ...(reservationId === undefined ? {} : { reservationId }),
    });
    return transactionId;
  },
  meter: (call, _evseId, transactionId, meterWh, currentA, seqNo) => call('TransactionEvent', {
    eventType: 'Updated', timestamp: now(), triggerReason: 'MeterValuePeriodic', seqNo, transactionInfo: { transactionId: String(transactionId), chargingState: 'Charging' },
    meterValue: energy(meterWh, currentA),
  }),
  stop: (call, _evseId, transactionId, meterWh, reason, seqNo) => call('TransactionEvent', {
    eventType: 'Ended', timestamp: now(), triggerReason: reason === 'Remote' ? 'RemoteStop' : 'StopAuthorized', seqNo,
    transactionInfo: { transactionId: String(transactionId), stoppedReason: reason }, meterValue: energy(meterWh),
  }),
};

interface Tx { id: string | number; startWh: number; seqNo: number; timer: NodeJS.Timeout }

/** `charging-gateway simulate-station ...`; resolves when stopped. */
export async function simulateStation(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: {
      url: { type: 'string' }, config: { type: 'string', short: 'c' }, password: { type: 'string' }, ocpp: { type: 'string', default: '1.6' },
      connectors: { type: 'string', default: '2' }, 'power-kw': { type: 'string', default: '11' }, help: { type: 'boolean', short: 'h' },
    },
  });
  const identity = positionals[0];
  if (values.help || !identity) {
    console.log(SIMULATE_HELP);
    return values.help ? 0 : 2;
  }
  if (values.ocpp !== '1.6' && values.ocpp !== '2.0.1') throw new Error('--ocpp is 1.6 or 2.0.1');
  const file = values.config ?? process.env.CGW_CONFIG;
  const config = loadConfig({ ...(file ? { file } : {}) });
  const url = new URL(values.url ?? `ws://127.0.0.1:${config.ocpp.port}${config.ocpp.path}`);
  // Credentials belong in --password: never printed, never left in the URL.
  const password = values.password ?? process.env.CGW_STATION_PASSWORD ?? (url.password ? decodeURIComponent(url.password) : undefined);
  url.username = '';
  url.password = '';
  const endpoint = url.toString().replace(/\/$/, '');
  const protocol = values.ocpp === '1.6' ? V16 : V201;
  const v16 = values.ocpp === '1.6';
  const connectors = Number(values.connectors);
  const powerKw = Number(values['power-kw']);
  const client = new RPCClient({
    endpoint, identity, protocols: [v16 ? 'ocpp1.6' : 'ocpp2.0.1'], strictMode: true, reconnect: true, ...(password ? { password } : {}),
  } as ConstructorParameters<typeof RPCClient>[0]);
  const call: Call = (action, payload) => client.call(action, payload);
  const list = new Set<string>();
  // A reservation holds its connector (1.6 connectorId, 2.0.1 evseId) for one idTag until used or cancelled.
  const reserved = new Map<number, { id: number; idTag: string }>();
  let listVersion = 0;
  const open = new Map<number, Tx>();
  let meterWh = 0;
  const say = (msg: string): void => console.log(`[${identity}] ${msg}`);

  const start = async (connectorId: number, idTag: string, remoteStartId?: number): Promise<void> => {
    // A start for the idTag its connector is reserved for uses the reservation.
    const held = reserved.get(connectorId);
    const reservationId = held?.idTag === idTag ? held.id : undefined;
    if (reservationId !== undefined) reserved.delete(connectorId);
    await call('StatusNotification', protocol.status(connectorId, 'Preparing'));
    const id = await protocol.start(call, connectorId, idTag, meterWh, remoteStartId, reservationId);
    await call('StatusNotification', protocol.status(connectorId, 'Charging'));
    say(`charging on connector ${connectorId} (transaction ${id})`);
    const tx: Tx = { id, startWh: meterWh, seqNo: 0, timer: setInterval(() => {
      meterWh += Math.round((powerKw * 1000 * 5) / 3600);
      protocol.meter(call, connectorId, id, meterWh, powerKw * 1000 / 230 / 3, ++tx.seqNo).catch(() => {});
    }, 5_000) };
    open.set(connectorId, tx);
  };
  const stop = async (connectorId: number, reason: string): Promise<void> => {
    const tx = open.get(connectorId);
    if (!tx) return;
    clearInterval(tx.timer);
    open.delete(connectorId);
    await protocol.stop(call, connectorId, tx.id, meterWh, reason, ++tx.seqNo);
    await call('StatusNotification', protocol.status(connectorId, 'Available'));
    say(`stopped connector ${connectorId}: ${meterWh - tx.startWh} Wh`);
  };
  // A charger's settings (1.6 key = 2.0.1 variable of the component named): some read-only,
  // some applied only after a reboot.
  const settings = new Map<string, { component: string; value: string; readonly?: boolean; reboot?: boolean }>([
    ['HeartbeatInterval', { component: 'OCPPCommCtrlr', value: '300' }],
    ['MeterValueSampleInterval', { component: 'SampledDataCtrlr', value: '60' }],
    ['WebSocketPingInterval', { component: 'OCPPCommCtrlr', value: '30', reboot: true }],
    ['NumberOfConnectors', { component: 'ChargingStation', value: String(connectors), readonly: true }],
    ['SendLocalListMaxLength', { component: 'LocalAuthListCtrlr', value: '50', readonly: true }],
  ]);
  const change = (name: string, value: string, component?: string): 'Accepted' | 'Rejected' | 'RebootRequired' | 'NotSupported' => {
    const setting = settings.get(name);
    if (!setting || (component && component !== setting.component)) return 'NotSupported';
    if (setting.readonly) return 'Rejected';
    setting.value = value;
    say(`${name} set to ${value}${setting.reboot ? ' (after a reboot)' : ''}`);
    return setting.reboot ? 'RebootRequired' : 'Accepted';
  };
  const applyList = (full: boolean, entries: { tag: string; add: boolean }[], version: number): { status: string } => {
    if (full) list.clear();
    for (const e of entries) {
      if (e.add) list.add(e.tag);
      else list.delete(e.tag);
    }
    listVersion = version;
    return { status: 'Accepted' };
  };
  const startFor = (connectorId: number, idTag: string, remoteStartId?: number) => {
    const held = reserved.get(connectorId);
    if (!list.has(idTag) || open.has(connectorId) || (held && held.idTag !== idTag)) return false;
    setImmediate(() => { start(connectorId, idTag, remoteStartId).catch((err: unknown) => say(`start failed: ${String(err)}`)); });
    return true;
  };
  const stopFor = (txId: unknown) => {
    const connectorId = [...open].find(([, tx]) => String(tx.id) === String(txId))?.[0];
    if (connectorId === undefined) return false;
    setImmediate(() => { stop(connectorId, 'Remote').catch((err: unknown) => say(`stop failed: ${String(err)}`)); });
    return true;
  };

  if (v16) {
    client.handle('GetLocalListVersion', async () => ({ listVersion }));
    client.handle('SendLocalList', async ({ params }) => {
      const p = params as { listVersion: number; updateType: string; localAuthorizationList?: { idTag: string; idTagInfo?: unknown }[] };
      return applyList(p.updateType === 'Full', (p.localAuthorizationList ?? []).map((e) => ({ tag: e.idTag, add: Boolean(e.idTagInfo) })), p.listVersion);
    });
    client.handle('GetConfiguration', async ({ params }) => {
      const asked = (params as { key?: string[] }).key ?? [...settings.keys()];
      return {
        configurationKey: asked.filter((k) => settings.has(k)).map((key) => ({ key, readonly: settings.get(key)!.readonly ?? false, value: settings.get(key)!.value })),
        unknownKey: asked.filter((k) => !settings.has(k)),
      };
    });
    client.handle('ChangeConfiguration', async ({ params }) => {
      const p = params as { key: string; value: string };
      return { status: change(p.key, p.value) };
    });
    client.handle('RemoteStartTransaction', async ({ params }) => {
      const p = params as { connectorId?: number; idTag: string };
      return { status: startFor(p.connectorId ?? 1, p.idTag) ? 'Accepted' : 'Rejected' };
    });
    client.handle('RemoteStopTransaction', async ({ params }) => ({ status: stopFor((params as { transactionId: number }).transactionId) ? 'Accepted' : 'Rejected' }));
    client.handle('UnlockConnector', async () => ({ status: 'Unlocked' }));
  } else {
    client.handle('GetLocalListVersion', async () => ({ versionNumber: listVersion }));
    client.handle('SendLocalList', async ({ params }) => {
      const p = params as { versionNumber: number; updateType: string; localAuthorizationList?: { idToken: { idToken: string }; idTokenInfo?: unknown }[] };
      return applyList(p.updateType === 'Full', (p.localAuthorizationList ?? []).map((e) => ({ tag: e.idToken.idToken, add: Boolean(e.idTokenInfo) })), p.versionNumber);
    });
    client.handle('GetBaseReport', async ({ params }) => {
      const { requestId } = params as { requestId: number };
      // The report follows the answer, in two parts as long ones do.
      const items = [...settings].map(([name, v]) => ({
        component: { name: v.component }, variable: { name },
        variableAttribute: [{ type: 'Actual', value: v.value, mutability: v.readonly ? 'ReadOnly' : 'ReadWrite' }],
        variableCharacteristics: { dataType: 'integer', supportsMonitoring: false },
      }));
      setImmediate(() => {
        const half = Math.ceil(items.length / 2);
        void (async () => {
          for (const [seqNo, reportData] of [items.slice(0, half), items.slice(half)].entries()) {
            await call('NotifyReport', { requestId, generatedAt: now(), seqNo, tbc: seqNo === 0, reportData });
          }
        })().catch((err: unknown) => say(`report failed: ${String(err)}`));
      });
      return { status: 'Accepted' };
    });
    client.handle('SetVariables', async ({ params }) => ({
      setVariableResult: (params as { setVariableData: { attributeValue: string; component: { name: string }; variable: { name: string } }[] }).setVariableData.map((d) => {
        const status = change(d.variable.name, d.attributeValue, d.component.name);
        const known = settings.get(d.variable.name);
        const unknown = !known ? 'UnknownVariable' : known.component !== d.component.name ? 'UnknownComponent' : status;
        return { attributeStatus: status === 'NotSupported' ? unknown : status, component: d.component, variable: d.variable };
      }),
    }));
    client.handle('GetVariables', async ({ params }) => ({
      // Its own settings as they stand; the local list's size limit (LocalAuthListCtrlr) is 50.
      getVariableResult: (params as { getVariableData: { component: { name: string }; variable: { name: string } }[] }).getVariableData
        .map((d) => ({ attributeStatus: 'Accepted', attributeValue: settings.get(d.variable.name)?.value ?? '50', component: d.component, variable: d.variable })),
    }));
    client.handle('RequestStartTransaction', async ({ params }) => {
      const p = params as { evseId?: number; remoteStartId: number; idToken: { idToken: string } };
      return { status: startFor(p.evseId ?? 1, p.idToken.idToken, p.remoteStartId) ? 'Accepted' : 'Rejected' };
    });
    client.handle('RequestStopTransaction', async ({ params }) => ({ status: stopFor((params as { transactionId: string }).transactionId) ? 'Accepted' : 'Rejected' }));
    client.handle('UnlockConnector', async () => ({ status: 'Unlocked' }));
  }
  for (const action of ['TriggerMessage', 'ClearCache']) client.handle(action, async () => ({ status: 'Accepted' }));
  // Out of service or back: the connectors (connector / EVSE 0 or none: all) report it at once.
  client.handle('ChangeAvailability', async ({ params }) => {
    const p = params as { connectorId?: number; type?: string; operationalStatus?: string; evse?: { id: number } };
    const target = p.connectorId ?? p.evse?.id ?? 0;
    const status = (p.type ?? p.operationalStatus) === 'Inoperative' ? 'Unavailable' : 'Available';
    const affected = Array.from({ length: connectors }, (_, i) => i + 1).filter((c) => (target === 0 || c === target) && !open.has(c));
    setImmediate(() => {
      void (async () => {
        for (const c of affected) await call('StatusNotification', protocol.status(c, status));
        say(`connector${affected.length === 1 ? '' : 's'} ${affected.join(', ')} ${status === 'Unavailable' ? 'out of service' : 'available'}`);
      })().catch(() => {});
    });
    return { status: 'Accepted' };
  });
  // It has no certificates installed.
  client.handle('GetInstalledCertificateIds', async () => ({ status: 'NotFound' }));
  // As a charger does: transactions end, then it boots again and reports its connectors.
  const reboot = async (hard: boolean): Promise<void> => {
    for (const c of [...open.keys()]) await stop(c, v16 ? (hard ? 'HardReset' : 'SoftReset') : 'ImmediateReset');
    say(`rebooting (${hard ? 'hard' : 'soft'} reset)`);
    await call('BootNotification', protocol.boot);
    for (let c = 1; c <= connectors; c++) await call('StatusNotification', protocol.status(c, 'Available'));
  };
  client.handle('Reset', async ({ params }) => {
    const type = (params as { type: string }).type;
    setImmediate(() => { reboot(type === 'Hard' || type === 'Immediate').catch((err: unknown) => say(`reset failed: ${String(err)}`)); });
    return { status: 'Accepted' };
  });
  client.handle('ReserveNow', async ({ params }) => {
    const p = params as { reservationId?: number; id?: number; connectorId?: number; evseId?: number; idTag?: string; idToken?: { idToken: string } };
    const connector = p.connectorId ?? p.evseId ?? 1;
    const id = p.reservationId ?? p.id ?? 0;
    const held = reserved.get(connector);
    if (open.has(connector) || (held && held.id !== id)) return { status: 'Occupied' };
    reserved.set(connector, { id, idTag: p.idTag ?? p.idToken?.idToken ?? '' });
    say(`connector ${connector} reserved (${id})`);
    setImmediate(() => { call('StatusNotification', protocol.status(connector, 'Reserved')).catch(() => {}); });
    return { status: 'Accepted' };
  });
  client.handle('CancelReservation', async ({ params }) => {
    const id = (params as { reservationId: number }).reservationId;
    const connector = [...reserved].find(([, r]) => r.id === id)?.[0];
    if (connector === undefined) return { status: 'Rejected' };
    reserved.delete(connector);
    say(`reservation ${id} cancelled`);
    setImmediate(() => { call('StatusNotification', protocol.status(connector, 'Available')).catch(() => {}); });
    return { status: 'Accepted' };
  });
  // No vendor extensions here.
  client.handle('DataTransfer', async () => ({ status: 'UnknownVendorId' }));
  simulateTransfers({ client, call, identity, v16, say, reboot: () => reboot(true) });

  const ended = new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
  });
  await client.connect();
  const boot = (await call('BootNotification', protocol.boot)) as { status: string };
  say(`connected to ${endpoint}/${identity} (OCPP ${values.ocpp}${password ? ', basic auth' : ''}): ${boot.status}`);
  for (let c = 1; c <= connectors; c++) await call('StatusNotification', protocol.status(c, 'Available'));
  await ended;
  for (const c of [...open.keys()]) await stop(c, 'Local');
  await client.close();
  return 0;
}
