// Hostile input over a real socket: random and mutated frames from a station. The node answers
// each CALL with a CALLERROR or a CALLRESULT, never answers responses, and keeps serving.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { BOOT_16, BOOT_201, RawStation, type OcppVersionName } from '../helpers/clients.ts';
import { minimalRequests } from '../helpers/schema-samples.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

// Real messages to mutate, so the fuzzer reaches the schema checks and the handlers.
const SEEDS: [string, Record<string, unknown>][] = [
  ['StartTransaction', { connectorId: 1, idTag: 'T', meterStart: 0, timestamp: '2026-11-21T08:00:00Z' }],
  ['MeterValues', { connectorId: 1, transactionId: 1, meterValue: [{ timestamp: '2026-11-21T08:00:00Z', sampledValue: [{ value: '1' }] }] }],
  ['StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' }],
  ['StopTransaction', { transactionId: 1, meterStop: 5, timestamp: '2026-11-21T08:00:00Z' }],
  ['DataTransfer', { vendorId: 'x', data: 'y' }],
];

const mutated = fc.tuple(fc.constantFrom(...SEEDS), fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 })).map(([[action, payload], key, value]) => {
  const copy: Record<string, unknown> = { ...payload };
  const keys = Object.keys(copy);
  const target = key.length % 3 === 0 && keys.length ? keys[key.length % keys.length]! : key;
  copy[target] = value;
  return [action, copy] as const;
});

describe('hostile frames over a real socket', () => {
  let gw: TestGateway;
  let st: RawStation;
  before(async () => {
    // Hundreds of invalid frames on one connection: the bad-message limit that would cut this
    // station off, and the rate that would slow it (station-limits.test.ts), are lifted here.
    gw = await startTestGateway({ ocpp: { acceptUnknownIdTags: true, maxBadMessagesPerMinute: 0, maxMessagesPerSecond: 100_000 } });
    st = await RawStation.connect(`${gw.url}/FUZZ-1`, 'ocpp1.6');
    assert.equal((await st.call('boot', 'BootNotification', BOOT_16))[0], 3);
  });
  after(async () => {
    st.close();
    await gw.cleanup();
  });

  it('answers every mutated CALL with a CALLRESULT or CALLERROR of the same id', async () => {
    let n = 0;
    await fc.assert(fc.asyncProperty(mutated, async ([action, payload]) => {
      const id = `f${n++}`;
      const reply = await st.call(id, action, payload);
      assert.ok(reply[0] === 3 || reply[0] === 4, JSON.stringify(reply));
      assert.equal(reply[1], id);
    }), { numRuns: 300 });
  });

  it('stays silent on junk that is not a CALL, and keeps serving afterwards', async () => {
    await fc.assert(fc.asyncProperty(fc.tuple(fc.constantFrom(3, 4), fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 })), async (frame) => {
      st.send(frame);
    }), { numRuns: 200 });
    assert.ok(await st.quiet(300), 'responses are never answered');
    const [type] = await st.call('still-alive', 'Heartbeat', {});
    assert.equal(type, 3);
    assert.ok(gw.ocpp.connection('FUZZ-1')?.isActive);
  });

  for (const version of ['ocpp1.6', 'ocpp2.0.1'] as OcppVersionName[]) {
    it(`${version}: answers mutations of every action's schema-minimal request, and keeps serving`, async (t) => {
      const seeds = minimalRequests(version);
      const station = await RawStation.connect(`${gw.url}/FUZZ-ALL-${version}`, version);
      await station.call('boot', 'BootNotification', version === 'ocpp1.6' ? BOOT_16 : BOOT_201);
      const actions = [...seeds.keys()];
      const reached = new Set<string>();
      const mutation = fc.tuple(fc.constantFrom(...actions), fc.oneof(fc.constant(undefined), fc.tuple(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }))));
      let n = 0;
      await fc.assert(fc.asyncProperty(mutation, async ([action, change]) => {
        const payload: Record<string, unknown> = structuredClone(seeds.get(action)!);
        if (change) {
          const [key, value] = change;
          const keys = Object.keys(payload);
          // Half the time an existing field gets a random value; else a random key is added.
          payload[key.length % 2 === 0 && keys.length ? keys[key.length % keys.length]! : key] = value;
        }
        const id = `all-${n++}`;
        const reply = await station.call(id, action, payload);
        assert.ok(reply[0] === 3 || reply[0] === 4, JSON.stringify(reply));
        assert.equal(reply[1], id);
        if (reply[0] === 3) reached.add(action);
      }), { numRuns: 600 });
      assert.ok(reached.size >= 5, `handlers were reached, not only the validator (${[...reached].join(', ')})`);
      assert.equal((await station.call('alive', 'Heartbeat', {}))[0], 3);
      t.diagnostic(`${n} mutated CALLs over ${actions.length} actions; CALLRESULTs from ${reached.size}: ${[...reached].sort().join(' ')}`);
      station.close();
    });
  }
});
