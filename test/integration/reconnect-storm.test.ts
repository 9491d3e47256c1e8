// A reconnect storm: the gateway is killed with stations connected, restarts on the same port,
// and every station reconnects at once and boots and reports its status, as real chargers do
// after a central-system outage. All are served, and no call in either direction times out.
// CI runs 1,000 stations; `npm run soak` runs 5,000 (CGW_SOAK_STATIONS).
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { tempDir } from '../helpers/gateway.ts';
import { IdleStation } from '../helpers/idle-station.ts';
import { metric } from '../helpers/metrics.ts';
import { freePort } from '../helpers/net.ts';
import { eventually } from '../helpers/wait.ts';
import { spawnGateway, type GatewayProcess } from '../helpers/process.ts';

const STATIONS = Number(process.env.CGW_SOAK_STATIONS ?? 1_000);
const CALL_TIMEOUT_SEC = 30;

async function connectRetrying(url: string, deadline: number): Promise<IdleStation> {
  for (;;) {
    try {
      return await IdleStation.connect(url);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 100));
    }
  }
}

/** Boots and reports a status; returns the longest wait for an answer (ms). */
async function bootAndReport(station: IdleStation): Promise<number> {
  let longest = 0;
  for (const [action, payload] of [
    ['BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' }],
    ['StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' }],
  ] as const) {
    const sent = performance.now();
    const [type] = await station.call(action, payload);
    assert.equal(type, 3, `${action} answered with a CALLRESULT`);
    longest = Math.max(longest, performance.now() - sent);
  }
  return longest;
}

/** The node's calls to stations that ended with this outcome. */
const outboundCalls = async (admin: string, outcome: string): Promise<number> =>
  (await metric(admin, 'cgw_ocpp_call_duration_seconds_count', { outcome })) || 0;

describe(`reconnect storm (${STATIONS} stations)`, () => {
  const dataDir = tempDir('cgw-storm-');
  let gateway: GatewayProcess | undefined;
  after(async () => {
    await gateway?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves every station that reconnects at once after a crash: boot and status answered, no call timeout', async (t) => {
    const port = await freePort();
    // Every station connects from 127.0.0.1, as stations behind one NAT address do: the caps on
    // connections that have not finished their upgrade are raised as such a site would.
    const env = {
      CGW_DATA_DIR: dataDir, CGW_OCPP_PORT: String(port), CGW_OCPP_CALL_TIMEOUT_SEC: String(CALL_TIMEOUT_SEC),
      CGW_OCPP_MAX_PENDING_PER_ADDRESS: String(STATIONS), CGW_OCPP_MAX_PENDING_CONNECTIONS: String(STATIONS),
      // Open registration keeps this many unlisted identities.
      CGW_STATIONS_MAX_UNLISTED: String(STATIONS),
    };
    gateway = await spawnGateway(env, { timeoutMs: 60_000 });
    const urls = Array.from({ length: STATIONS }, (_, i) => `${gateway!.ocppUrl}/STORM-${i}`);
    let stations: IdleStation[] = [];
    for (let i = 0; i < STATIONS; i += 250) {
      stations.push(...await Promise.all(urls.slice(i, i + 250).map(async (url) => {
        const s = await IdleStation.connect(url);
        await bootAndReport(s);
        return s;
      })));
    }

    const closed = stations.map((s) => new Promise((r) => s.ws.once('close', r)));
    assert.equal(await gateway.kill('SIGKILL'), null);
    await Promise.all(closed);
    const restarted = Date.now();
    // All stations retry at once while the node starts; each boots as soon as it is in.
    const reconnecting = Promise.all(urls.map(async (url) => {
      const s = await connectRetrying(url, restarted + 120_000);
      return { station: s, longest: await bootAndReport(s) };
    }));
    gateway = await spawnGateway(env, { timeoutMs: 60_000 });
    const served = await reconnecting;
    const allServedMs = Date.now() - restarted;
    stations = served.map((s) => s.station);
    const longest = Math.max(...served.map((s) => s.longest));
    assert.ok(longest < CALL_TIMEOUT_SEC * 1000, `every call answered within the ${CALL_TIMEOUT_SEC} s call timeout (longest ${Math.round(longest)} ms)`);
    // The node's own calls (local-list reconciliation after each boot) are answered too.
    await eventually(async () => (await outboundCalls(gateway!.admin, 'result')) >= STATIONS, 60_000, 'the node reconciled every station after its boot');
    assert.equal(await outboundCalls(gateway.admin, 'timeout'), 0, 'no call from the node to a station timed out');
    const status = await (await fetch(`${gateway.admin}/readyz`)).status;
    assert.equal(status, 200);
    t.diagnostic(`${STATIONS} stations back and booted ${allServedMs} ms after the kill (node start included); longest answer ${Math.round(longest)} ms`);
    for (const s of stations) s.ws.terminate();
  });
});
