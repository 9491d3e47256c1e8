// Every row of the OCPP-J error table (OCPP-RULES.md), for both versions, with raw frames.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { BOOT_16, BOOT_201, RawStation } from '../helpers/clients.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

const CASES = {
  'ocpp1.6': {
    boot: BOOT_16,
    codes: { rpc: 'FormationViolation', format: 'FormationViolation', occurrence: 'OccurenceConstraintViolation' },
    missing: { chargePointVendor: 'V' },
    wrongType: { chargePointVendor: 'V', chargePointModel: 5 },
    extra: { ...BOOT_16, colour: 'red' },
    badEnum: ['StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Dancing' }],
    overLong: { ...BOOT_16, chargePointSerialNumber: 'S'.repeat(40) },
  },
  'ocpp2.0.1': {
    boot: BOOT_201,
    codes: { rpc: 'RpcFrameworkError', format: 'FormatViolation', occurrence: 'OccurrenceConstraintViolation' },
    missing: { reason: 'PowerUp', chargingStation: { vendorName: 'V' } },
    wrongType: { reason: 'PowerUp', chargingStation: { vendorName: 'V', model: 5 } },
    extra: { ...BOOT_201, colour: 'red' },
    badEnum: ['StatusNotification', { timestamp: '2026-11-21T08:00:00Z', connectorStatus: 'Dancing', evseId: 1, connectorId: 1 }],
    overLong: { reason: 'PowerUp', chargingStation: { vendorName: 'V', model: 'M', serialNumber: 'S'.repeat(40) } },
  },
} as const;

for (const [version, c] of Object.entries(CASES) as [keyof typeof CASES, (typeof CASES)[keyof typeof CASES]][]) {
  describe(`error table, ${version}`, () => {
    let gw: TestGateway;
    let st: RawStation;
    const strictId = `STRICT-${version}`;
    before(async () => {
      gw = await startTestGateway({
        ocpp: { maxFrameBytes: 64 * 1024 },
        stations: { list: [{ identity: strictId, securityProfile: 0, validation: 'strict' }] },
      });
      st = await RawStation.connect(`${gw.url}/${strictId}`, version);
      const [type] = await st.call('boot', 'BootNotification', c.boot);
      assert.equal(type, 3);
    });
    after(async () => {
      st.close();
      await gw.cleanup();
    });

    const expectError = async (frame: unknown, id: string, code: string) => {
      st.send(frame);
      const reply = await st.next();
      assert.equal(reply[0], 4, `expected a CALLERROR, got ${JSON.stringify(reply)}`);
      assert.equal(reply[1], id);
      assert.equal(reply[2], code, `reply: ${JSON.stringify(reply)}`);
      assert.equal(typeof reply[3], 'string');
      assert.equal(typeof reply[4], 'object');
    };

    it('not JSON → id "-1"', () => expectError('this is not json', '-1', c.codes.rpc));
    it('not an array → id "-1"', () => expectError('{"a":1}', '-1', c.codes.rpc));
    it('id not a string → id "-1"', () => expectError([2, 123, 'Heartbeat', {}], '-1', c.codes.rpc));
    it('id longer than 36 characters → id "-1"', () => expectError([2, 'x'.repeat(37), 'Heartbeat', {}], '-1', c.codes.rpc));
    it('payload not an object', () => expectError([2, 'p1', 'Heartbeat', []], 'p1', c.codes.format));
    it('unknown action → NotImplemented', () => expectError([2, 'a1', 'FlyToTheMoon', {}], 'a1', 'NotImplemented'));
    it('known action the central system does not take → NotSupported', () => expectError([2, 'a2', 'Reset', { type: 'Soft' }], 'a2', 'NotSupported'));
    it('missing required field', () => expectError([2, 'v1', 'BootNotification', c.missing], 'v1', c.codes.occurrence));
    it('wrong JSON type', () => expectError([2, 'v2', 'BootNotification', c.wrongType], 'v2', 'TypeConstraintViolation'));
    it('value outside the enumeration', () => expectError([2, 'v3', ...c.badEnum], 'v3', 'PropertyConstraintViolation'));
    it('extra property', () => expectError([2, 'v4', 'BootNotification', c.extra], 'v4', 'PropertyConstraintViolation'));
    it('string too long (strict station)', () => expectError([2, 'v5', 'BootNotification', c.overLong], 'v5', 'PropertyConstraintViolation'));

    it('unknown message type: 1.6 ignores it, 2.0.1 answers MessageTypeNotSupported', async () => {
      st.send([7, 'm1', 'Heartbeat', {}]);
      if (version === 'ocpp1.6') assert.ok(await st.quiet(), 'no answer in 1.6');
      else assert.deepEqual((await st.next()).slice(0, 3), [4, 'm1', 'MessageTypeNotSupported']);
    });

    it('never answers a CALLRESULT or CALLERROR, even a malformed or unknown one', async () => {
      st.send([3, 'nobody-asked', {}]);
      st.send([4, 'nobody-asked', 'GenericError', 'x', {}]);
      st.send([4, 'bad', 42]);
      st.send([3, 17, {}]);
      assert.ok(await st.quiet());
    });

    it('a duplicate id while the first CALL is still being handled gets a CALLERROR; the first is answered', async () => {
      const socket = (st.ws as any)._socket;
      socket.cork();
      st.send([2, 'dup', 'Heartbeat', {}]);
      st.send([2, 'dup', 'Heartbeat', {}]);
      socket.uncork();
      const replies = [await st.next(), await st.next()];
      const error = replies.find((r) => r[0] === 4);
      const result = replies.find((r) => r[0] === 3);
      assert.ok(error && result, JSON.stringify(replies));
      assert.equal(error[1], 'dup');
      assert.equal(error[2], c.codes.rpc);
      assert.equal(result[1], 'dup');
    });

    it('a lenient station gets an over-long serial number accepted, recorded as a deviation', async () => {
      const lenient = await RawStation.connect(`${gw.url}/LENIENT-${version}`, version);
      const reply = await lenient.call('l1', 'BootNotification', c.overLong);
      assert.equal(reply[0], 3);
      assert.equal((await gw.service.state(`LENIENT-${version}`))?.boot?.ChargePointSerialNumber, 'S'.repeat(40));
      assert.deepEqual(gw.ocpp.deviations(`LENIENT-${version}`), { BootNotification: 1 });
      // A missing required field is refused under the lenient policy too.
      const refused = await lenient.call('l2', 'BootNotification', c.missing);
      assert.equal(refused[2], c.codes.occurrence);
      lenient.close();
    });

    it('an oversized frame closes the connection with 1009, and the node keeps serving', async () => {
      const big = await RawStation.connect(`${gw.url}/BIG-${version}`, version);
      const closed = once(big.ws, 'close');
      big.send([2, 'big', 'DataTransfer', { vendorId: 'x', data: 'y'.repeat(70 * 1024) }]);
      const [code] = (await closed) as [number];
      assert.equal(code, 1009);
      const [type] = await st.call('after-big', 'Heartbeat', {});
      assert.equal(type, 3);
    });
  });
}
