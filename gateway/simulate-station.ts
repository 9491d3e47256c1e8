import { parseArgs } from 'node:util';
import { RPCClient } from 'ocpp-rpc';

export const SIMULATE_HELP = `charging-gateway simulate-station: a simulated OCPP 1.6 charge point, for trying the gateway without hardware

Usage:
  charging-gateway simulate-station IDENTITY [--url ws://127.0.0.1:9000/ocpp] [--connectors 2] [--power-kw 11]

It boots, reports its connectors Available, accepts remote start/stop for idTags on its local list,
and while charging sends MeterValues every 5 s at the given power. Ctrl-C disconnects it.`;

interface Tx { id: number; meterWh: number; timer: NodeJS.Timeout }

/** `charging-gateway simulate-station ...`; resolves when stopped. */
export async function simulateStation(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: { url: { type: 'string', default: 'ws://127.0.0.1:9000/ocpp' }, connectors: { type: 'string', default: '2' }, 'power-kw': { type: 'string', default: '11' }, help: { type: 'boolean', short: 'h' } },
  });
  const identity = positionals[0];
  if (values.help || !identity) {
    console.log(SIMULATE_HELP);
    return values.help ? 0 : 2;
  }
  const connectors = Number(values.connectors);
  const powerKw = Number(values['power-kw']);
  // The RPCClient's options type lists every option as required; these are the ones that matter.
  const client = new RPCClient({ endpoint: values.url, identity, protocols: ['ocpp1.6'], strictMode: true, reconnect: true } as ConstructorParameters<typeof RPCClient>[0]);
  const list = new Set<string>();
  const open = new Map<number, Tx>();
  let meterWh = 0;
  const say = (msg: string): void => console.log(`[${identity}] ${msg}`);
  const status = (connectorId: number, s: string) => client.call('StatusNotification', { connectorId, errorCode: 'NoError', status: s });

  const start = async (connectorId: number, idTag: string): Promise<void> => {
    await status(connectorId, 'Preparing');
    const { transactionId } = (await client.call('StartTransaction', { connectorId, idTag, meterStart: meterWh, timestamp: new Date().toISOString() })) as { transactionId: number };
    await status(connectorId, 'Charging');
    say(`charging on connector ${connectorId} (transaction ${transactionId})`);
    const timer = setInterval(() => {
      meterWh += Math.round((powerKw * 1000 * 5) / 3600);
      void client.call('MeterValues', {
        connectorId, transactionId,
        meterValue: [{ timestamp: new Date().toISOString(), sampledValue: [
          { value: String(meterWh), measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
          { value: (powerKw * 1000 / 230 / 3).toFixed(1), measurand: 'Current.Import', unit: 'A', phase: 'L1' },
          { value: '230', measurand: 'Voltage', unit: 'V', phase: 'L1-N' },
        ] }],
      }).catch(() => {});
    }, 5_000);
    open.set(connectorId, { id: transactionId, meterWh, timer });
  };
  const stop = async (connectorId: number, reason: string): Promise<void> => {
    const tx = open.get(connectorId);
    if (!tx) return;
    clearInterval(tx.timer);
    open.delete(connectorId);
    await client.call('StopTransaction', { transactionId: tx.id, meterStop: meterWh, timestamp: new Date().toISOString(), reason });
    await status(connectorId, 'Available');
    say(`stopped connector ${connectorId}: ${meterWh - tx.meterWh} Wh`);
  };

  client.handle('GetLocalListVersion', async () => ({ listVersion: list.size ? 1 : 0 }));
  client.handle('SendLocalList', async ({ params }) => {
    const p = params as { updateType: string; localAuthorizationList?: { idTag: string; idTagInfo?: unknown }[] };
    if (p.updateType === 'Full') list.clear();
    for (const e of p.localAuthorizationList ?? []) {
      if (e.idTagInfo) list.add(e.idTag);
      else list.delete(e.idTag);
    }
    return { status: 'Accepted' };
  });
  client.handle('GetConfiguration', async () => ({ configurationKey: [{ key: 'SendLocalListMaxLength', readonly: true, value: '50' }] }));
  client.handle('RemoteStartTransaction', async ({ params }) => {
    const p = params as { connectorId?: number; idTag: string };
    const connectorId = p.connectorId ?? 1;
    if (!list.has(p.idTag) || open.has(connectorId)) return { status: 'Rejected' };
    setImmediate(() => { start(connectorId, p.idTag).catch((err: unknown) => say(`start failed: ${String(err)}`)); });
    return { status: 'Accepted' };
  });
  client.handle('RemoteStopTransaction', async ({ params }) => {
    const p = params as { transactionId: number };
    const connectorId = [...open].find(([, tx]) => tx.id === p.transactionId)?.[0];
    if (connectorId === undefined) return { status: 'Rejected' };
    setImmediate(() => { stop(connectorId, 'Remote').catch((err: unknown) => say(`stop failed: ${String(err)}`)); });
    return { status: 'Accepted' };
  });
  for (const action of ['TriggerMessage', 'ChangeAvailability']) client.handle(action, async () => ({ status: 'Accepted' }));
  client.handle('UnlockConnector', async () => ({ status: 'Unlocked' }));

  await client.connect();
  const boot = (await client.call('BootNotification', { chargePointVendor: 'charging-gateway', chargePointModel: 'simulated' })) as { status: string };
  say(`connected to ${values.url}/${identity}: ${boot.status}`);
  for (let c = 1; c <= connectors; c++) await status(c, 'Available');
  await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  for (const c of [...open.keys()]) await stop(c, 'Local');
  await client.close();
  return 0;
}
