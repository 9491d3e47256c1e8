// Access to the admin API (issue #18): tokens with a name and a role (read-only, operator), and
// an audit log of who asked for which change, allowed or not, that outlives a restart.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Charger } from '../helpers/charger.ts';
import { adminEnv, runCli } from '../helpers/cli.ts';
import { startTestGateway, tempDir, type TestGateway } from '../helpers/gateway.ts';
import { eventually } from '../helpers/wait.ts';

const VIEWER = 'viewer-token-0123456789';
const ANNA = 'anna-token-0123456789ab';

describe('admin API roles and audit log', () => {
  const dataDir = tempDir('cgw-roles-');
  const tokens = [{ name: 'wall-screen', token: VIEWER, role: 'read-only' as const }, { name: 'anna', token: ANNA, role: 'operator' as const }];
  let gw: TestGateway;
  let cp: Charger;
  let admin: string;
  const api = async (token: string, method: string, path: string, body?: unknown) => {
    const r = await fetch(`http://127.0.0.1:${gw.adminPort}${path}`, {
      method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: r.status, body: (await r.json()) as any };
  };

  before(async () => {
    gw = await startTestGateway({ admin: { tokens } }, dataDir);
    admin = readFileSync(join(dataDir, 'admin.token'), 'utf8').trim();
    cp = await Charger.connect(gw.url, 'ROLES-CP', 'ocpp1.6');
    await cp.status(1, 'Available');
  });
  after(async () => {
    await cp.close();
    await gw.cleanup();
  });

  it('lets a read-only token read everything and change nothing', async () => {
    assert.equal((await api(VIEWER, 'GET', '/api/stations')).status, 200);
    assert.equal((await api(VIEWER, 'GET', '/api/stations/ROLES-CP')).status, 200);
    const refused = await api(VIEWER, 'POST', '/api/stations/ROLES-CP/commands/unlock', { connectorId: 1 });
    assert.equal(refused.status, 403);
    assert.match(refused.body.error, /wall-screen is read-only/);
    assert.equal((await api(VIEWER, 'PUT', '/api/tags/RFID1', {})).status, 403);
    assert.equal((await api(VIEWER, 'DELETE', '/api/stations/ROLES-CP')).status, 403);
    assert.deepEqual(cp.commands, [], 'nothing reached the station');
    assert.equal((await api('not-a-token-at-all-000', 'GET', '/api/stations')).status, 401);
  });

  it('lets an operator token send commands, and records who asked for what, allowed or not, newest first', async () => {
    assert.equal((await api(ANNA, 'POST', '/api/stations/ROLES-CP/commands/unlock', { connectorId: 1 })).status, 200);
    assert.equal((await api(admin, 'PUT', '/api/tags/RFID1', {})).status, 201);
    assert.equal((await api(ANNA, 'POST', '/api/stations/ROLES-CP/commands/unlock', {})).status, 400);
    const { items } = (await eventually(async () => {
      const r = await api(VIEWER, 'GET', '/api/audit?limit=500');
      return r.body.items.length >= 6 ? r : undefined;
    })).body;
    const seen = items.map((e: any) => `${e.who}/${e.role} ${e.method} ${e.path} ${e.status}`);
    assert.deepEqual(seen.slice(0, 6), [
      'anna/operator POST /api/stations/ROLES-CP/commands/unlock 400',
      'admin/operator PUT /api/tags/*** 201', // a card's number is not in the log
      'anna/operator POST /api/stations/ROLES-CP/commands/unlock 200',
      'wall-screen/read-only DELETE /api/stations/ROLES-CP 403',
      'wall-screen/read-only PUT /api/tags/*** 403',
      'wall-screen/read-only POST /api/stations/ROLES-CP/commands/unlock 403',
    ]);
    assert.ok(!items.some((e: any) => e.method === 'GET'), 'reading is not recorded');
    assert.ok(items.every((e: any) => !Number.isNaN(Date.parse(e.at))));
  });

  it('records a change whose client left before the answer (499)', async () => {
    // The station takes its time to answer; the operator's client gives up first.
    cp.client.handle('GetDiagnostics', () => new Promise((resolve) => setTimeout(() => resolve({}), 1_500)));
    const gone = new AbortController();
    const pending = fetch(`http://127.0.0.1:${gw.adminPort}/api/stations/ROLES-CP/calls/GetDiagnostics`, {
      method: 'POST', headers: { Authorization: `Bearer ${ANNA}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ location: 'ftp://example.invalid/' }), signal: gone.signal,
    }).catch(() => undefined);
    setTimeout(() => gone.abort(), 300);
    await pending;
    const entry = await eventually(async () => (await api(admin, 'GET', '/api/audit?limit=5')).body.items.find((e: any) => e.path.endsWith('/calls/GetDiagnostics')), 5_000);
    assert.deepEqual([entry.who, entry.status], ['anna', 499]);
  });

  it('pages the log by cursor and keeps it across a restart; the CLI reads it; `config` never prints a token', async () => {
    const first = (await api(admin, 'GET', '/api/audit?limit=2')).body;
    const second = (await api(admin, 'GET', `/api/audit?limit=2&cursor=${first.nextCursor}`)).body;
    const all = (await api(admin, 'GET', '/api/audit?limit=500')).body.items;
    assert.deepEqual([...first.items, ...second.items], all.slice(0, 4));
    assert.equal((await api(admin, 'GET', '/api/audit?cursor=bm9wZQ')).status, 400);

    await cp.close();
    await gw.stop();
    gw = await startTestGateway({ admin: { tokens } }, dataDir);
    cp = await Charger.connect(gw.url, 'ROLES-CP', 'ocpp1.6');
    assert.deepEqual((await api(ANNA, 'GET', '/api/audit?limit=500')).body.items, all, 'kept across the restart');

    const run = (...args: string[]) => runCli({ ...adminEnv(gw.adminPort, dataDir), CGW_ADMIN_TOKENS: JSON.stringify(tokens) }, ...args);
    const audit = await run('audit', '--limit', '1');
    assert.equal(audit.status, 0);
    assert.equal(JSON.parse(audit.output).items[0].who, all[0].who);
    const config = await run('config');
    assert.equal(config.status, 0);
    assert.doesNotMatch(config.output, new RegExp(`${VIEWER}|${ANNA}`));
    assert.deepEqual(JSON.parse(config.output).admin.tokens.map((t: any) => [t.name, t.token, t.role]), [['wall-screen', '***', 'read-only'], ['anna', '***', 'operator']]);
  });
});
