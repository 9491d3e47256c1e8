// An operator's commands to chargers (issue #18, first part): any CSMS action by name, in the
// station's own OCPP version, checked against the official schema before it is sent; the
// everyday ones by name; each exchange kept. The stations are ocpp-rpc clients in strict mode,
// so they also check what the gateway sends.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createRPCError } from 'ocpp-rpc';
import { BOOT_16, BOOT_201, connectRpcClient } from '../helpers/clients.ts';
import { adminEnv, runCli } from '../helpers/cli.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';


/** A third-party station that keeps every CALL the central system sent it. */
async function station(url: string, identity: string, version: 'ocpp1.6' | 'ocpp2.0.1') {
  const client = await connectRpcClient(url, identity, version);
  const received: { action: string; params: any }[] = [];
  const keep = (action: string, answer: (params: any) => object) => client.handle(action, ({ params }: { params: any }) => {
    received.push({ action, params });
    return answer(params);
  });
  keep('Reset', () => ({ status: 'Accepted' }));
  keep('ClearCache', () => ({ status: 'Rejected' }));
  keep('DataTransfer', (p) => ({ status: 'Accepted', data: `echo:${p.data ?? ''}` }));
  if (version === 'ocpp1.6') {
    keep('GetConfiguration', (p) => ({ configurationKey: (p.key ?? ['HeartbeatInterval']).map((key: string) => ({ key, readonly: false, value: '300' })) }));
    keep('GetLocalListVersion', () => ({ listVersion: 0 }));
    // A station that cannot do something answers with a CALLERROR.
    keep('GetDiagnostics', () => { throw createRPCError('NotImplemented', 'no diagnostics on this unit'); });
  } else {
    keep('GetVariables', (p) => ({ getVariableResult: p.getVariableData.map((d: any) => ({ attributeStatus: 'Accepted', attributeValue: '300', component: d.component, variable: d.variable })) }));
    keep('GetLocalListVersion', () => ({ versionNumber: 0 }));
  }
  await client.call('BootNotification', version === 'ocpp1.6' ? BOOT_16 : BOOT_201);
  return { client, received, sent: (action: string) => received.filter((r) => r.action === action).map((r) => r.params) };
}

describe('operator calls: any OCPP action, in the station\'s version', () => {
  let gw: TestGateway;
  let cp16: Awaited<ReturnType<typeof station>>;
  let cp201: Awaited<ReturnType<typeof station>>;
  let base: string;
  let token: string;
  const api = (path: string, init: RequestInit = {}) => fetch(`${base}${path}`, { ...init, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' } });
  const call = async (identity: string, action: string, body: unknown) => {
    const r = await api(`/api/stations/${identity}/calls/${action}`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });
    return { status: r.status, body: (await r.json()) as any };
  };

  before(async () => {
    gw = await startTestGateway({});
    base = `http://127.0.0.1:${gw.adminPort}`;
    token = readFileSync(join(gw.config.dataDir, 'admin.token'), 'utf8').trim();
    cp16 = await station(gw.url, 'CALL-16', 'ocpp1.6');
    cp201 = await station(gw.url, 'CALL-201', 'ocpp2.0.1');
  });
  after(async () => {
    await cp16.client.close();
    await cp201.client.close();
    await gw.cleanup();
  });

  it('sends an action in each station\'s own version and returns the station\'s answer', async () => {
    const r16 = await call('CALL-16', 'GetConfiguration', { key: ['HeartbeatInterval', 'MeterValueSampleInterval'] });
    assert.equal(r16.status, 200, JSON.stringify(r16.body));
    assert.deepEqual(r16.body.response.configurationKey.map((k: any) => k.key), ['HeartbeatInterval', 'MeterValueSampleInterval']);
    // The node's own read on connect is a GetConfiguration too (without keys).
    assert.ok(cp16.sent('GetConfiguration').some((p) => JSON.stringify(p) === JSON.stringify({ key: ['HeartbeatInterval', 'MeterValueSampleInterval'] })));

    const variable = { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } };
    const r201 = await call('CALL-201', 'GetVariables', { getVariableData: [variable] });
    assert.equal(r201.status, 200, JSON.stringify(r201.body));
    assert.equal(r201.body.response.getVariableResult[0].attributeValue, '300');
  });

  it('refuses a payload that does not match the action\'s schema in the station\'s version (400 with the schema error), and sends nothing', async () => {
    const before201 = cp201.received.length;
    // 1.6's Reset types are not 2.0.1's.
    const wrong = await call('CALL-201', 'Reset', { type: 'Soft' });
    assert.equal(wrong.status, 400, JSON.stringify(wrong.body));
    assert.equal(wrong.body.code, 'InvalidRequest');
    assert.match(wrong.body.error, /invalid Reset request: \/type must be equal to one of the allowed values/);
    assert.equal(cp201.received.length, before201, 'nothing reached the station');
    assert.equal((await call('CALL-16', 'Reset', {})).status, 400, 'a required field missing');
    assert.equal((await call('CALL-16', 'Reset', '[1,2]')).status, 400, 'not an object');
    assert.equal((await call('CALL-16', 'Reset', '{oops')).status, 400, 'not JSON');
    const right = await call('CALL-201', 'Reset', { type: 'OnIdle' });
    assert.deepEqual([right.status, right.body.response], [200, { status: 'Accepted' }]);
  });

  it('refuses an action the central system does not send, and lists the ones each version has', async () => {
    for (const action of ['BootNotification', 'NoSuchAction', 'GetBaseReport']) {
      const r = await call('CALL-16', action, {});
      assert.equal(r.status, 400, action);
      assert.match(r.body.error, new RegExp(`${action} is not an action the central system sends in ocpp1.6`));
    }
    const list16 = (await (await api('/api/stations/CALL-16/calls')).json()) as any;
    const list201 = (await (await api('/api/stations/CALL-201/calls')).json()) as any;
    assert.equal(list16.ocppVersion, 'ocpp1.6');
    assert.ok(list16.actions.includes('GetDiagnostics') && !list16.actions.includes('GetBaseReport'));
    assert.ok(list201.actions.includes('GetBaseReport') && !list201.actions.includes('GetDiagnostics'));
    assert.equal((await call('NO-SUCH-STATION', 'Reset', { type: 'Soft' })).status, 404);
  });

  it('passes a station\'s CALLERROR on as Refused (502) and keeps every exchange among the station\'s reports', async () => {
    const refused = await call('CALL-16', 'GetDiagnostics', { location: 'ftp://example.invalid/' });
    assert.equal(refused.status, 502);
    assert.equal(refused.body.code, 'Refused');
    assert.match(refused.body.error, /NotImplemented: no diagnostics on this unit/);
    const reports = (await (await api('/api/stations/CALL-16/reports?limit=500')).json()) as any;
    const calls = reports.items.filter((r: any) => r.action === 'OperatorCall').map((r: any) => r.payload);
    const diagnostics = calls.find((c: any) => c.action === 'GetDiagnostics');
    assert.deepEqual(diagnostics.request, { location: 'ftp://example.invalid/' });
    assert.equal(diagnostics.error.code, 'Refused');
    const configuration = calls.find((c: any) => c.action === 'GetConfiguration');
    assert.equal(configuration.response.configurationKey[0].key, 'HeartbeatInterval');
    assert.ok(!calls.some((c: any) => c.action === 'NoSuchAction'), 'what was refused before sending is not an exchange');
    // A station password travels to the station, never into the records.
    await call('CALL-16', 'ChangeConfiguration', { key: 'AuthorizationKey', value: '0123456789abcdef0123456789abcdef' });
    const after = (await (await api('/api/stations/CALL-16/reports?limit=500')).json()) as any;
    const keyChange = after.items.map((r: any) => r.payload).find((c: any) => c.action === 'ChangeConfiguration');
    assert.deepEqual(keyChange.request, { key: 'AuthorizationKey', value: '***' });
    assert.doesNotMatch(JSON.stringify(after), /0123456789abcdef0123456789abcdef/);
  });

  it('names the everyday commands once for both versions: reset, clear cache, data transfer', async () => {
    const command = async (identity: string, name: string, body: object) => {
      const r = await api(`/api/stations/${identity}/commands/${name}`, { method: 'POST', body: JSON.stringify(body) });
      return { status: r.status, body: (await r.json()) as any };
    };
    assert.deepEqual((await command('CALL-16', 'reset', { type: 'Hard' })).body, { result: 'Accepted' });
    assert.deepEqual((await command('CALL-201', 'reset', { type: 'Hard' })).body, { result: 'Accepted' });
    assert.deepEqual(cp16.sent('Reset').at(-1), { type: 'Hard' });
    assert.deepEqual(cp201.sent('Reset').at(-1), { type: 'Immediate' }, 'a hard reset is 2.0.1\'s Immediate');
    await command('CALL-201', 'reset', { type: 'Soft' });
    assert.deepEqual(cp201.sent('Reset').at(-1), { type: 'OnIdle' });
    assert.deepEqual((await command('CALL-16', 'clear-cache', {})).body, { result: 'Rejected' }, 'the station\'s own answer');
    const transfer = await command('CALL-201', 'data-transfer', { vendorId: 'com.example', messageId: 'ping', data: 'x' });
    assert.deepEqual(transfer.body.result, { status: 'Accepted', data: 'echo:x' });
    assert.equal((await command('CALL-16', 'reset', { type: 'Sideways' })).status, 400);
  });

  it('documents every action\'s request and answer schema per version in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as any;
    const reset = doc.paths['/api/stations/{identity}/calls/Reset'].post;
    assert.deepEqual(reset.requestBody.content['application/json'].schema.oneOf.map((s: any) => s.$ref), [
      '#/components/schemas/ocpp1.6.Reset.req', '#/components/schemas/ocpp2.0.1.Reset.req',
    ]);
    const only201 = doc.paths['/api/stations/{identity}/calls/GetBaseReport'].post;
    assert.deepEqual(only201.responses[200].content['application/json'].schema.properties.response.oneOf.map((s: any) => s.title), ['ocpp2.0.1']);
    assert.equal(doc.paths['/api/stations/{identity}/calls/BootNotification'], undefined, 'only what the central system sends');
    assert.deepEqual(doc.components.schemas['ocpp1.6.Reset.req'].properties.type.enum, ['Hard', 'Soft']);
    assert.deepEqual(doc.components.schemas['ocpp2.0.1.Reset.req'].properties.type.$ref, '#/definitions/ResetEnumType', 'refs stay inside the schema, which has its own id');
    assert.equal(doc.components.schemas['ocpp2.0.1.Reset.req'].$id, 'urn:ocpp2.0.1:Reset.req');
  });

  it('does the same from the CLI: station call prints the answer; a bad payload says so', async () => {
    const run = (...args: string[]) => runCli(adminEnv(gw.adminPort, gw.config.dataDir), ...args);
    const ok = await run('station', 'call', 'CALL-16', 'GetConfiguration', '{"key":["HeartbeatInterval"]}');
    assert.equal(ok.status, 0, ok.output);
    assert.equal(JSON.parse(ok.output).response.configurationKey[0].value, '300');
    const invalid = await run('station', 'call', 'CALL-16', 'Reset', '{"type":"Sideways"}');
    assert.equal(invalid.status, 1);
    assert.match(invalid.output, /invalid Reset request/);
    const notJson = await run('station', 'call', 'CALL-16', 'Reset', '{type:');
    assert.equal(notJson.status, 2);
    assert.match(notJson.output, /not valid JSON/);
  });
});
