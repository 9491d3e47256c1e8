// The operator's cards (issue #18): RFID idTags kept by the node, on every station's local
// list beside the consumers' tags (offline stations when they connect), answered by Authorize
// and StartTransaction, managed through the API and the CLI with CSV import and export. The
// stations are ocpp-rpc clients in strict mode that keep their list as a charger does.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Charger } from '../helpers/charger.ts';
import { adminEnv, runCli } from '../helpers/cli.ts';
import { adminApi } from '../helpers/admin.ts';
import { startTestGateway, tempDir, type TestGateway } from '../helpers/gateway.ts';
import { eventually } from '../helpers/wait.ts';


async function authorize(cp: Charger, idTag: string): Promise<string> {
  if (cp.is16) return (await cp.client.call('Authorize', { idTag })).idTagInfo.status;
  return (await cp.client.call('Authorize', { idToken: { idToken: idTag, type: 'ISO14443' } })).idTokenInfo.status;
}

describe('operator cards on every station', () => {
  const dataDir = tempDir('cgw-cards-');
  let gw: TestGateway;
  let cp16: Charger;
  let cp201: Charger;
  let base: string;
  const api = adminApi(() => base, () => dataDir);
  const start = async () => {
    gw = await startTestGateway({ stations: { configuration: { readOnConnect: false } } }, dataDir);
    base = `http://127.0.0.1:${gw.adminPort}`;
  };

  before(async () => {
    await start();
    cp16 = await Charger.connect(gw.url, 'CARD-16', 'ocpp1.6');
    cp201 = await Charger.connect(gw.url, 'CARD-201', 'ocpp2.0.1');
    for (const cp of [cp16, cp201]) await cp.status(1, 'Available');
  });
  after(async () => {
    await cp16?.close();
    await cp201?.close();
    await gw.cleanup();
  });

  it('puts a new card on every connected station\'s list and answers it Accepted; an unknown card stays Invalid', async () => {
    const set = await api('PUT', '/api/tags/RFID0001', { note: 'fleet van 1' });
    assert.equal(set.status, 201, set.text);
    assert.deepEqual([set.body.idTag, set.body.status, set.body.note], ['RFID0001', 'Accepted', 'fleet van 1']);
    for (const cp of [cp16, cp201]) {
      await eventually(() => cp.list.get('RFID0001')?.status === 'Accepted', 5_000, `${cp.identity} did not get the card`);
      assert.equal(await authorize(cp, 'RFID0001'), 'Accepted');
      assert.equal(await authorize(cp, 'rfid0001'), 'Accepted', 'idTags are case-insensitive');
      assert.equal(await authorize(cp, 'RFID9999'), 'Invalid');
    }
    assert.deepEqual(cp16.listUpdates.at(-1), { version: cp16.listUpdates.at(-1)!.version, updateType: 'Differential', entries: ['+RFID0001'] });
  });

  it('blocks, expires and removes a card on every station, and the stations answer as the operator set it', async () => {
    assert.equal((await api('PUT', '/api/tags/rfid0001', { status: 'Blocked' })).status, 200, 'the same card, whatever the case');
    await eventually(() => cp16.list.get('RFID0001')?.status === 'Blocked' && cp201.list.get('RFID0001')?.status === 'Blocked', 5_000);
    assert.equal(await authorize(cp16, 'RFID0001'), 'Blocked');
    const started = await cp16.client.call('StartTransaction', { connectorId: 1, idTag: 'RFID0001', meterStart: 0, timestamp: new Date().toISOString() });
    assert.equal(started.idTagInfo.status, 'Blocked', 'a start with a blocked card is refused');
    await cp16.client.call('StopTransaction', { transactionId: started.transactionId, meterStop: 0, timestamp: new Date().toISOString() });

    await api('PUT', '/api/tags/RFID0001', { status: 'Accepted', expiryDate: '2020-01-01T00:00:00Z' });
    assert.equal(await authorize(cp201, 'RFID0001'), 'Expired');
    assert.equal((await api('GET', '/api/tags/RFID0001')).body.note, 'fleet van 1', 'what was not named stays');

    assert.equal((await api('DELETE', '/api/tags/RFID0001')).status, 200);
    await eventually(() => !cp16.list.has('RFID0001') && !cp201.list.has('RFID0001'), 5_000);
    assert.equal(await authorize(cp16, 'RFID0001'), 'Invalid');
    assert.equal((await api('GET', '/api/tags/RFID0001')).status, 404);
    assert.equal((await api('DELETE', '/api/tags/RFID0001')).status, 404);
  });

  it('refuses a card no station would take, naming the field', async () => {
    for (const [path, body, field] of [
      ['/api/tags/RFID0002', { status: 'Lost' }, 'status'],
      ['/api/tags/RFID0002', { expiryDate: 'soon' }, 'expiryDate'],
      ['/api/tags/WAY-TOO-LONG-FOR-A-CARD-ID', {}, 'idTag'],
      ['/api/tags/RFID0002', { colour: 'red' }, 'colour'],
      ['/api/tags/CABCDEFGHIJKLMNOPQRS', {}, 'idTag'],
    ] as const) {
      const r = await api('PUT', path, body);
      assert.deepEqual([r.status, r.body.field], [400, field], JSON.stringify(body));
    }
    assert.equal((await api('GET', '/api/tags')).body.length, 0, 'nothing was kept');
  });

  it('gives a station that was offline the cards when it connects, and keeps them across a restart', async () => {
    await cp201.close();
    await eventually(() => !gw.commands.isConnected('CARD-201'));
    await api('PUT', '/api/tags/RFID0003', {});
    const late = await Charger.connect(gw.url, 'CARD-LATE', 'ocpp1.6');
    try {
      await eventually(() => late.list.get('RFID0003')?.status === 'Accepted', 5_000, 'a new station did not get the cards');
      assert.equal(late.listUpdates[0]?.updateType, 'Full');
    } finally {
      await late.close();
    }
    await cp16.close();
    await gw.stop();
    await start();
    assert.deepEqual((await api('GET', '/api/tags')).body.map((t: any) => t.idTag), ['RFID0003'], 'kept across the restart');
    cp201 = await Charger.connect(gw.url, 'CARD-201', 'ocpp2.0.1');
    await eventually(() => cp201.list.get('RFID0003')?.status === 'Accepted', 5_000, 'the station that was offline did not get the card');
    assert.equal(await authorize(cp201, 'RFID0003'), 'Accepted');
    cp16 = await Charger.connect(gw.url, 'CARD-16', 'ocpp1.6');
  });

  it('imports and exports cards as CSV: good lines taken, each bad one named by its line; formulas neutralised', async () => {
    const csv = '\uFEFFidTag,status,expiryDate,note\r\nRFID0010,Accepted,,"depot, north"\r\n\r\nRFID0011,Lost,,\r\nRFID0012,Blocked,2030-01-01T00:00:00Z,"=HYPERLINK(""x"")"\r\nTOO-LONG-TO-BE-A-CARD-ID,,,\r\nRFID0013,Accepted\r\n';
    const imported = await api('POST', '/api/tags.csv', csv);
    assert.equal(imported.status, 200, imported.text);
    assert.equal(imported.body.imported, 2);
    assert.deepEqual(imported.body.problems.map((p: any) => [p.line, p.field]), [[4, 'status'], [6, 'idTag'], [7, '']], 'the file\'s own line numbers');
    await eventually(() => cp201.list.get('RFID0012')?.status === 'Blocked', 5_000);
    const exported = await api('GET', '/api/tags.csv');
    const lines = exported.text.trimEnd().split('\r\n');
    assert.equal(lines[0], 'idTag,status,expiryDate,parentIdTag,note,updatedAt');
    assert.ok(lines.some((l) => l.startsWith('RFID0010,Accepted,,,"depot, north",')), exported.text);
    assert.ok(lines.some((l) => l.includes(',"\'=HYPERLINK(""x"")",')), `a formula is written as text: ${exported.text}`);
    // Exported and imported again, nothing changes (the apostrophe goes again).
    assert.equal((await api('POST', '/api/tags.csv', exported.text)).body.imported, lines.length - 1);
    assert.equal((await api('GET', '/api/tags/RFID0012')).body.note, '=HYPERLINK("x")');
    assert.equal((await api('POST', '/api/tags.csv', 'card,colour\r\nX,red\r\n')).status, 400, 'a file without idTag is refused whole');
    assert.match((await api('POST', '/api/tags.csv', 'idTag,note\r\nA1,"never closed\r\n')).body.error, /line 2: a quoted field is never closed/);
    assert.equal((await api('POST', '/api/tags.csv', 'idTag,status\r\nB1,Lost\r\n')).status, 422, 'nothing taken');
  });

  it('does the same from the CLI', async () => {
    const run = (...args: string[]) => runCli(adminEnv(gw.adminPort, dataDir), ...args);
    const set = await run('tags', 'set', 'RFID0020', '--status', 'Blocked', '--note', 'lost');
    assert.equal(set.status, 0, set.output);
    assert.equal(JSON.parse(set.output).status, 'Blocked');
    const folder = tempDir('cgw-cards-csv-');
    const file = join(folder, 'cards.csv');
    writeFileSync(file, 'idTag\nRFID0021\n');
    try {
      assert.equal(JSON.parse((await run('tags', 'import', file)).output).imported, 1);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
    const list = JSON.parse((await run('tags', 'list')).output);
    assert.ok(['RFID0020', 'RFID0021'].every((t) => list.some((x: any) => x.idTag === t)));
    assert.match((await run('tags', 'export')).output, /^idTag,status/);
    assert.equal((await run('tags', 'delete', 'RFID0020')).status, 0);
    assert.equal((await run('tags', 'delete', 'RFID0020')).status, 1, 'a second delete says it is gone');
  });
});
