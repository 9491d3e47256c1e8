// The operator's JSON API: token, validation with the field named, stations, commands, paging.
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Charger } from '../helpers/charger.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

describe('admin API', () => {
  let gw: TestGateway;
  let charger: Charger;
  let base: string;
  let token: string;
  const api = (path: string, init: RequestInit = {}, auth = token) =>
    fetch(`${base}${path}`, { ...init, headers: { ...(auth ? { Authorization: `Bearer ${auth}` } : {}), 'Content-Type': 'application/json', ...init.headers } });
  const post = (path: string, body: unknown) => api(path, { method: 'POST', body: JSON.stringify(body) });
  const json = async (response: Promise<Response> | Response): Promise<any> => (await response).json();

  before(async () => {
    gw = await startTestGateway({ ocpp: { acceptUnknownIdTags: true } });
    base = `http://127.0.0.1:${gw.adminPort}`;
    const file = join(gw.config.dataDir, 'admin.token');
    assert.equal(statSync(file).mode & 0o777, 0o600, 'the generated token is private');
    token = readFileSync(file, 'utf8').trim();
    charger = await Charger.connect(gw.url, 'OPS-CP', 'ocpp1.6');
    await charger.status(1, 'Available');
  });
  after(async () => {
    await charger.close();
    await gw.cleanup();
  });

  it('refuses requests without the token or with a wrong one (401)', async () => {
    assert.equal((await api('/api/stations', {}, '')).status, 401);
    assert.equal((await api('/api/stations', {}, `${token}x`)).status, 401);
  });

  it('lists stations with live status and shows one in detail; 404 for an unknown one', async () => {
    const list = await json(api('/api/stations'));
    const ops = list.find((s: any) => s.identity === 'OPS-CP');
    assert.equal(ops.connected, true);
    assert.equal(ops.ocppVersion, 'ocpp1.6');
    assert.deepEqual(ops.connectors, [{ id: 1, status: 'Available' }]);
    const detail = await json(api('/api/stations/OPS-CP'));
    assert.equal(detail.boot.ChargePointVendor, 'TestVendor');
    const unknown = await api('/api/stations/NOPE');
    assert.equal(unknown.status, 404);
    assert.match((await json(unknown)).error, /unknown station NOPE/);
  });

  it('validates command bodies and names the bad field (400)', async () => {
    const cases: [unknown, string][] = [[{}, 'connectorId'], [{ connectorId: 'one' }, 'connectorId'], [{ connectorId: 1, colour: 'red' }, 'colour']];
    for (const [body, field] of cases) {
      const r = await post('/api/stations/OPS-CP/commands/unlock', body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal((await json(r)).field, field);
    }
    assert.equal((await api('/api/stations/OPS-CP/commands/unlock', { method: 'POST', body: '{not json' })).status, 400);
    assert.equal((await post('/api/stations/OPS-CP/commands/self-destruct', {})).status, 404);
    assert.equal((await post('/api/stations/NOPE/commands/unlock', { connectorId: 1 })).status, 404);
    // A trigger this station's version does not have: refused by our own check against the
    // official schema before anything is sent (seen: 502 "the station answered …").
    const invalid = await post('/api/stations/OPS-CP/commands/trigger', { message: 'NoSuchMessage' });
    assert.equal(invalid.status, 400);
    assert.match((await json(invalid)).error, /invalid TriggerMessage request/);
  });

  it('finds a consumer\'s sessions by SS58 address as well as by hex key (seen: hex only, the dashboard shows SS58)', async () => {
    const hex = `0x${'cd'.repeat(32)}`;
    const { encodeAddress } = await import('@polkadot/util-crypto');
    const ss58 = encodeAddress(hex, 42);
    const own = await Charger.connect(gw.url, 'OPS-SESSIONS', 'ocpp1.6');
    await own.status(1, 'Available');
    await gw.bridge.authorize({ station: 'OPS-SESSIONS', consumerKey: hex });
    await gw.bridge.start({ station: 'OPS-SESSIONS', connectorId: 1, consumerKey: hex });
    await own.meterValues(1, 100);
    await gw.bridge.stop({ station: 'OPS-SESSIONS', connectorId: 1, consumerKey: ss58 });
    await own.close();
    const byHex = await json(api(`/api/sessions?consumer=${hex}`));
    const bySs58 = await json(api(`/api/sessions?consumer=${ss58}`));
    assert.equal(byHex.total, 1);
    assert.deepEqual(bySs58, byHex);
    const bad = await api('/api/sessions?consumer=nobody');
    assert.equal(bad.status, 400);
    assert.equal((await json(bad)).field, 'consumer');
  });

  it('passes commands to the station and returns its answer', async () => {
    assert.deepEqual(await json(post('/api/stations/OPS-CP/commands/unlock', { connectorId: 1 })), { result: 'Unlocked' });
    assert.deepEqual(await json(post('/api/stations/OPS-CP/commands/trigger', { message: 'Heartbeat' })), { result: 'Accepted' });
    assert.deepEqual(await json(post('/api/stations/OPS-CP/commands/change-availability', { connectorId: 1, operative: false })), { result: 'Accepted' });
    assert.deepEqual(charger.commands, ['UnlockConnector:1', 'TriggerMessage:Heartbeat', 'ChangeAvailability:Inoperative']);
    assert.deepEqual(await json(post('/api/stations/OPS-CP/commands/resync-local-list', {})), { result: 'Accepted' });
    assert.equal(charger.listUpdates.at(-1)?.updateType, 'Full');
    const stop = await post('/api/stations/OPS-CP/commands/remote-stop', { transactionId: 999 });
    assert.equal(stop.status, 404);
  });

  it('pages finished transactions', async () => {
    for (let i = 0; i < 3; i++) {
      await charger.startTransaction(1, 'T');
      await charger.stopTransaction(1, 'Local');
    }
    const first = await json(api('/api/stations/OPS-CP/transactions?limit=2'));
    assert.equal(first.total, 3);
    assert.equal(first.items.length, 2);
    const second = await json(api('/api/stations/OPS-CP/transactions?limit=2&offset=2'));
    assert.equal(second.items.length, 1);
    assert.ok(first.items[0].id > second.items[0].id, 'newest first');
    assert.equal((await api('/api/stations/OPS-CP/transactions?limit=0')).status, 400);
    assert.equal((await api('/api/sessions')).status, 400);
  });

  it('serves an OpenAPI document whose command bodies are the validating schemas', async () => {
    const doc = await json(fetch(`${base}/openapi.json`));
    assert.equal(doc.openapi, '3.1.0');
    const unlock = doc.paths['/api/stations/{identity}/commands/unlock'].post;
    assert.deepEqual(unlock.requestBody.content['application/json'].schema.required, ['connectorId']);
    assert.ok(doc.paths['/api/stations/{identity}/transactions']);
  });
});
