// The frame log (issue #18): an operator captures one station's OCPP frames for a while, both
// directions, with credentials and idTags masked; other stations cost nothing meanwhile.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BOOT_16, connectRpcClient } from '../helpers/clients.ts';
import { adminApi } from '../helpers/admin.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

describe('OCPP frame capture', () => {
  let gw: TestGateway;
  let watched: any;
  let other: any;
  const api = adminApi(() => `http://127.0.0.1:${gw.adminPort}`, () => gw.config.dataDir);

  before(async () => {
    gw = await startTestGateway({ ocpp: { acceptUnknownIdTags: true }, stations: { configuration: { readOnConnect: false } } });
    for (const identity of ['FRAMES-CP', 'QUIET-CP']) {
      const client = await connectRpcClient(gw.url, identity, 'ocpp1.6');
      client.handle('ChangeConfiguration', () => ({ status: 'Accepted' }));
      client.handle('GetLocalListVersion', () => ({ listVersion: 0 }));
      await client.call('BootNotification', BOOT_16);
      if (identity === 'FRAMES-CP') watched = client;
      else other = client;
    }
  });
  after(async () => {
    await watched.close();
    await other.close();
    await gw.cleanup();
  });

  it('records nothing until asked, then both directions of the watched station only, masked', async () => {
    await watched.call('Heartbeat', {});
    assert.deepEqual((await api('GET', '/api/stations/FRAMES-CP/frames')).body, { capturing: false, frames: [] });
    const started = await api('POST', '/api/stations/FRAMES-CP/frames/capture', { minutes: 1 });
    assert.equal(started.status, 200);
    assert.ok(Date.parse(started.body.until) > Date.now());

    await watched.call('Authorize', { idTag: 'RFID12345678' });
    await other.call('Authorize', { idTag: 'OTHER0000001' });
    await api('POST', '/api/stations/FRAMES-CP/calls/ChangeConfiguration', { key: 'AuthorizationKey', value: '0123456789abcdef0123456789abcdef' });

    const { body } = await api('GET', '/api/stations/FRAMES-CP/frames');
    assert.equal(body.capturing, true);
    const text = JSON.stringify(body.frames);
    assert.doesNotMatch(text, /RFID12345678|0123456789abcdef/, 'no card number, no password');
    assert.doesNotMatch(text, /OTHER0000001/, 'another station is not captured');
    const authorize = body.frames.find((f: any) => f.direction === 'in' && f.frame[2] === 'Authorize');
    assert.deepEqual(authorize.frame[3], { idTag: '***5678' });
    const answer = body.frames.find((f: any) => f.direction === 'out' && f.frame[0] === 3 && f.frame[1] === authorize.frame[1]);
    assert.equal(answer.frame[2].idTagInfo.status, 'Accepted');
    const change = body.frames.find((f: any) => f.direction === 'out' && f.frame[2] === 'ChangeConfiguration');
    assert.deepEqual(change.frame[3], { key: 'AuthorizationKey', value: '***' });
    assert.ok(body.frames.some((f: any) => f.direction === 'in' && f.frame[0] === 3), 'the station\'s answer too');
    assert.deepEqual((await api('GET', '/api/stations/QUIET-CP/frames')).body.frames, []);
  });

  it('stops when told, keeping what it captured, and refuses a capture longer than an hour', async () => {
    const before = (await api('GET', '/api/stations/FRAMES-CP/frames')).body.frames.length;
    assert.equal((await api('DELETE', '/api/stations/FRAMES-CP/frames/capture')).status, 200);
    await watched.call('Heartbeat', {});
    const after = (await api('GET', '/api/stations/FRAMES-CP/frames')).body;
    assert.deepEqual([after.capturing, after.frames.length], [false, before]);
    assert.equal((await api('POST', '/api/stations/FRAMES-CP/frames/capture', { minutes: 61 })).status, 400);
    assert.equal((await api('POST', '/api/stations/NOPE/frames/capture', {})).status, 404);
  });
});
