// The operator's history (issue #18): transactions on every station, open and finished, with
// the consumer whose session each was; filters, cursor paging that stays stable while
// transactions start, CSV, and a transaction's readings with signed values marked. The
// stations are ocpp-rpc clients in strict mode.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { encodeAddress } from '@polkadot/util-crypto';
import { Charger } from '../helpers/charger.ts';
import { adminEnv, runCli } from '../helpers/cli.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

const SIGNED = 'OCMF|{"FV":"1.0","RD":[{"RV":12.0}]}|{"SD":"3045..."}';

describe('transaction history across stations', () => {
  let gw: TestGateway;
  let cp16: Charger;
  let cp201: Charger;
  let base: string;
  let token: string;
  const consumer = randomBytes(32);
  const consumerHex = `0x${consumer.toString('hex')}`;
  const api = async (path: string) => {
    const r = await fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${token}` } });
    return { status: r.status, type: r.headers.get('content-type') ?? '', text: await r.text() };
  };
  const json = async (path: string): Promise<any> => JSON.parse((await api(path)).text);
  const ids = (items: any[]) => items.map((e) => `${e.station}#${e.id}`);
  let consumerTag = '';

  before(async () => {
    gw = await startTestGateway({ ocpp: { acceptUnknownIdTags: true } });
    base = `http://127.0.0.1:${gw.adminPort}`;
    token = readFileSync(join(gw.config.dataDir, 'admin.token'), 'utf8').trim();
    cp16 = await Charger.connect(gw.url, 'HIST-16', 'ocpp1.6');
    cp201 = await Charger.connect(gw.url, 'HIST-201', 'ocpp2.0.1');
    for (const cp of [cp16, cp201]) for (const c of [1, 2]) await cp.status(c, 'Available');
    // 1.6: two finished (one with a signed reading), one running; 2.0.1: one finished by a consumer's session.
    await cp16.startTransaction(1, 'CARD,01');
    await cp16.meterValues(1, 500, SIGNED);
    await cp16.meterValues(1, 700);
    await cp16.stopTransaction(1, 'Local');
    await cp16.startTransaction(1, 'CARD02');
    await cp16.stopTransaction(1, 'Local');
    consumerTag = (await gw.bridge.authorize({ station: 'HIST-201', consumerKey: consumerHex })).idTag;
    await gw.bridge.start({ station: 'HIST-201', connectorId: 1, consumerKey: consumerHex });
    await cp201.meterValues(1, 1_000);
    await gw.bridge.stop({ station: 'HIST-201', connectorId: 1, consumerKey: consumerHex });
    await cp16.startTransaction(2, 'CARD03');
  });
  after(async () => {
    await cp16.close();
    await cp201.close();
    await gw.cleanup();
  });

  it('lists open and finished transactions of every station, the latest started first, with whose session each was', async () => {
    const { items } = await json('/api/transactions');
    assert.deepEqual(items.map((e: any) => e.idTag), ['CARD03', consumerTag, 'CARD02', 'CARD,01'], 'in the order the node saw them start, the latest first');
    const running = items.find((e: any) => e.idTag === 'CARD03');
    assert.deepEqual([running.state, running.station, running.connectorId, running.endTime], ['open', 'HIST-16', 2, '']);
    const first = items.find((e: any) => e.idTag === 'CARD,01');
    assert.deepEqual([first.state, first.energyWh, first.stopReason], ['finished', 1_200, 'Local']);
    const consumers = items.filter((e: any) => e.consumer).map((e: any) => [e.station, e.consumer]);
    assert.deepEqual(consumers, [['HIST-201', consumer.toString('hex')]]);
  });

  it('filters by station, state, tag, consumer (SS58 or hex) and start time', async () => {
    assert.deepEqual((await json('/api/transactions?station=HIST-201')).items.map((e: any) => e.station), ['HIST-201']);
    assert.deepEqual((await json('/api/transactions?state=open')).items.map((e: any) => e.idTag), ['CARD03']);
    assert.equal((await json('/api/transactions?state=finished')).items.length, 3);
    assert.deepEqual((await json('/api/transactions?idTag=CARD02')).items.map((e: any) => e.idTag), ['CARD02']);
    const ss58 = encodeAddress(consumer, 42);
    assert.deepEqual((await json(`/api/transactions?consumer=${ss58}`)).items.map((e: any) => e.station), ['HIST-201']);
    const all = (await json('/api/transactions')).items;
    // The stations' clocks: the second distinct start time splits them.
    const split: string = [...new Set<string>(all.map((e: any) => e.startTime))].sort()[1]!;
    const later = (await json(`/api/transactions?from=${encodeURIComponent(split)}`)).items;
    assert.ok(later.length > 0 && later.length < all.length && later.every((e: any) => e.startTime >= split));
    const earlier = (await json(`/api/transactions?to=${encodeURIComponent(split)}`)).items;
    assert.equal(earlier.length + later.length, all.length, 'from and to split the history');
  });

  it('pages by cursor without repeating or skipping a row while a transaction starts between pages (seen with offset paging)', async () => {
    const before = (await json('/api/transactions')).items;
    const first = await json('/api/transactions?limit=2');
    assert.equal(first.items.length, 2);
    assert.ok(first.nextCursor);
    await cp201.startTransaction(2, 'CARD04'); // a newer one arrives meanwhile
    const rest: any[] = [];
    let cursor: string | undefined = first.nextCursor;
    while (cursor) {
      const next = await json(`/api/transactions?limit=2&cursor=${cursor}`);
      rest.push(...next.items);
      cursor = next.nextCursor;
    }
    assert.deepEqual(ids([...first.items, ...rest]), ids(before), 'every row once, in order');
    assert.equal((await json('/api/transactions?limit=1')).items[0].idTag, 'CARD04', 'the new one is at the top');
    await cp201.stopTransaction(2, 'Local');
  });

  it('exports CSV and shows a transaction with its readings, the signed one marked', async () => {
    const csv = await api('/api/transactions.csv?station=HIST-16');
    assert.match(csv.type, /text\/csv/);
    const lines = csv.text.trimEnd().split('\r\n');
    assert.equal(lines[0], 'station,id,ocppTransactionId,connectorId,idTag,consumer,state,startTime,endTime,receivedAt,energyWh,stopReason');
    assert.equal(lines.length, 4);
    assert.ok(lines.some((l) => l.includes(',"CARD,01",')), 'a field with a comma is quoted');
    const first = (await json('/api/transactions?idTag=CARD%2C01')).items[0];
    const detail = await json(`/api/stations/HIST-16/transactions/${first.id}`);
    assert.equal(detail.idTag, 'CARD,01');
    const periodic = detail.readings.filter((r: any) => r.source === 'MeterValues');
    assert.deepEqual(periodic.map((r: any) => r.signed), [true, false]);
    assert.ok(periodic[0].sampledValue.some((v: any) => v.format === 'SignedData'), 'as the station sent it');
  });

  it('refuses a bad filter or cursor with the field named, and an unknown transaction with 404', async () => {
    for (const [query, field] of [['cursor=nonsense', 'cursor'], ['from=yesterday', 'from'], ['state=paused', 'state'], ['consumer=alice', 'consumer'], ['limit=0', 'limit'], ['offset=2', 'offset']]) {
      const r = await api(`/api/transactions?${query}`);
      assert.equal(r.status, 400, query);
      assert.equal(JSON.parse(r.text).field, field);
    }
    assert.equal((await api('/api/stations/HIST-16/transactions/99999')).status, 404);
    assert.equal((await api('/api/stations/NOPE/transactions/1')).status, 404);
  });

  it('does the same from the CLI', async () => {
    const run = (...args: string[]) => runCli(adminEnv(gw.adminPort, gw.config.dataDir), ...args);
    const page = await run('transactions', '--station', 'HIST-201', '--state', 'finished');
    assert.equal(page.status, 0, page.output);
    assert.equal(JSON.parse(page.output).items.length, 2);
    const csv = await run('transactions', '--tag', 'CARD02', '--csv');
    assert.equal(csv.output.trim().split(/\r?\n/).length, 2, csv.output);
    const id = JSON.parse((await run('transactions', '--tag', 'CARD02')).output).items[0].id;
    const show = await run('transactions', 'show', 'HIST-16', String(id));
    assert.equal(JSON.parse(show.output).idTag, 'CARD02');
  });
});
