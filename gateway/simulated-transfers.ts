import { createHash, randomBytes } from 'node:crypto';
import type { RPCClient } from 'ocpp-rpc';

type Call = (action: string, payload: object) => Promise<unknown>;

export interface SimulatedTransfersDeps {
  client: RPCClient;
  call: Call;
  identity: string;
  v16: boolean;
  say: (message: string) => void;
  /** The station restarts (an installed image takes effect): transactions end, it boots again. */
  reboot: () => Promise<void>;
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * What the simulated station does with firmware, log and (2.0.1) monitoring requests, as a charger does: downloads
 * the image over HTTP(S) and reports each step (installing means rebooting), and uploads a log
 * to the URL it is given (GetDiagnostics: PUT to the location plus the file name; GetLog: a
 * multipart form POST to the location), reporting its progress.
 */
export function simulateTransfers(d: SimulatedTransfersDeps): void {
  const { client, call, v16, say } = d;
  // 1.6 core FirmwareStatusNotification names no request; the others do.
  const firmwareStatus = (status: string, requestId?: number): Promise<unknown> => (requestId === undefined
    ? call('FirmwareStatusNotification', { status })
    : call(v16 ? 'SignedFirmwareStatusNotification' : 'FirmwareStatusNotification', { status, requestId }));

  const install = async (location: string, signed: boolean, requestId?: number): Promise<void> => {
    await firmwareStatus('Downloading', requestId);
    let image: Buffer;
    try {
      const res = await fetch(location);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      image = Buffer.from(await res.arrayBuffer());
    } catch (err) {
      say(`firmware download from ${location} failed: ${(err as Error).message}`);
      await firmwareStatus('DownloadFailed', requestId);
      return;
    }
    say(`firmware downloaded: ${image.length} bytes, sha256 ${createHash('sha256').update(image).digest('hex')}`);
    await firmwareStatus('Downloaded', requestId);
    if (signed) await firmwareStatus('SignatureVerified', requestId);
    await firmwareStatus('Installing', requestId);
    await pause(200);
    await d.reboot();
    await firmwareStatus('Installed', requestId);
    say('firmware installed');
  };
  const later = (job: () => Promise<void>): void => {
    setImmediate(() => { job().catch((err: unknown) => say(`transfer failed: ${String(err)}`)); });
  };

  client.handle('UpdateFirmware', async ({ params }) => {
    if (v16) {
      later(() => install((params as { location: string }).location, false));
      return {};
    }
    const p = params as { requestId: number; firmware: { location: string; signature?: string } };
    later(() => install(p.firmware.location, Boolean(p.firmware.signature), p.requestId));
    return { status: 'Accepted' };
  });
  if (v16) {
    client.handle('SignedUpdateFirmware', async ({ params }) => {
      const p = params as { requestId: number; firmware: { location: string } };
      later(() => install(p.firmware.location, true, p.requestId));
      return { status: 'Accepted' };
    });
  }

  const logText = (what: string): Buffer => Buffer.from(`${new Date().toISOString()} ${d.identity} ${what}\n${randomBytes(32).toString('hex')}\n`);
  if (v16) {
    client.handle('GetDiagnostics', async ({ params }) => {
      const location = (params as { location: string }).location;
      const fileName = `${d.identity}-diagnostics.log`;
      later(async () => {
        await call('DiagnosticsStatusNotification', { status: 'Uploading' });
        const ok = await upload(`${location.replace(/\/+$/, '')}/${fileName}`, 'PUT', logText('diagnostics'));
        say(ok ? `diagnostics uploaded to ${location}` : `diagnostics upload to ${location} failed`);
        await call('DiagnosticsStatusNotification', { status: ok ? 'Uploaded' : 'UploadFailed' });
      });
      return { fileName };
    });
  }
  if (!v16) {
    // A monitor set is kept; as if its condition were met at once, the station reports an event for it.
    let monitorId = 0;
    client.handle('SetVariableMonitoring', async ({ params }) => {
      const data = (params as { setMonitoringData: { type: string; severity: number; component: object; variable: object }[] }).setMonitoringData;
      const results = data.map((m) => ({ status: 'Accepted', type: m.type, severity: m.severity, component: m.component, variable: m.variable, id: ++monitorId }));
      later(async () => {
        const eventData = results.map((r, i) => ({
          eventId: r.id, timestamp: new Date().toISOString(), trigger: 'Alerting', actualValue: '1', eventNotificationType: 'CustomMonitor',
          component: r.component, variable: r.variable, variableMonitoringId: r.id, ...(i === 0 ? {} : { cause: results[0]!.id }),
        }));
        await call('NotifyEvent', { generatedAt: new Date().toISOString(), seqNo: 0, eventData });
        say(`monitor ${results.map((r) => r.id).join(', ')} set; reported an event`);
      });
      return { setMonitoringResult: results };
    });
  }
  client.handle('GetLog', async ({ params }) => {
    const p = params as { logType: string; requestId: number; log: { remoteLocation: string } };
    const filename = `${d.identity}-${p.logType}.log`;
    later(async () => {
      await call('LogStatusNotification', { status: 'Uploading', requestId: p.requestId });
      const form = new FormData();
      form.append('file', new Blob([logText(p.logType)]), filename);
      const ok = await upload(p.log.remoteLocation, 'POST', form);
      say(ok ? `${p.logType} uploaded` : `${p.logType} upload failed`);
      await call('LogStatusNotification', { status: ok ? 'Uploaded' : 'UploadFailure', requestId: p.requestId });
    });
    return { status: 'Accepted', filename };
  });
}

async function upload(url: string, method: 'PUT' | 'POST', body: Buffer | FormData): Promise<boolean> {
  try {
    return (await fetch(url, { method, body })).ok;
  } catch {
    return false;
  }
}
