import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { schemasFor } from '../../../src/ocpp/core/schemas.ts';
import { judge } from '../../../src/ocpp/core/validation-policy.ts';

describe('official schemas from ocpp-rpc', () => {
  it('loads every 1.6 (core + security) and 2.0.1 action', () => {
    const v16 = schemasFor('ocpp1.6');
    for (const a of ['BootNotification', 'StartTransaction', 'SendLocalList', 'SignCertificate', 'SecurityEventNotification', 'ExtendedTriggerMessage']) assert.ok(v16.actions.has(a), a);
    const v201 = schemasFor('ocpp2.0.1');
    for (const a of ['TransactionEvent', 'Get15118EVCertificate', 'NotifyReport', 'RequestStartTransaction']) assert.ok(v201.actions.has(a), a);
  });

  it('applies the known fixes: 1.6 units Celsius/Celcius/Hertz, 2.0.1 exiResponse up to 7500', () => {
    const v16 = schemasFor('ocpp1.6');
    for (const unit of ['Celsius', 'Celcius', 'Hertz']) {
      const payload = { connectorId: 1, meterValue: [{ timestamp: '2026-11-21T08:00:00Z', sampledValue: [{ value: '1', unit }] }] };
      assert.deepEqual(v16.validate('MeterValues', 'req', payload), [], unit);
      const stop = { transactionId: 1, meterStop: 1, timestamp: '2026-11-21T08:00:00Z', transactionData: payload.meterValue };
      assert.deepEqual(v16.validate('StopTransaction', 'req', stop), [], unit);
    }
    const v201 = schemasFor('ocpp2.0.1');
    assert.deepEqual(v201.validate('Get15118EVCertificate', 'conf', { status: 'Accepted', exiResponse: 'A'.repeat(7500) }), []);
    assert.notDeepEqual(v201.validate('Get15118EVCertificate', 'conf', { status: 'Accepted', exiResponse: 'A'.repeat(7501) }), []);
  });

  it('lenient policy tolerates informational slips but never a missing field or a bad status', () => {
    const v16 = schemasFor('ocpp1.6');
    const unknownUnit = v16.validate('MeterValues', 'req', { connectorId: 1, meterValue: [{ timestamp: '2026-11-21T08:00:00Z', sampledValue: [{ value: '1', unit: 'Furlongs' }] }] });
    assert.equal(judge('lenient', unknownUnit).refused.length, 0);
    assert.equal(judge('strict', unknownUnit).refused.length, 1);
    const badStatus = v16.validate('StatusNotification', 'req', { connectorId: 1, errorCode: 'NoError', status: 'Dancing' });
    assert.equal(judge('lenient', badStatus).refused.length, 1);
    const missing = v16.validate('StartTransaction', 'req', { connectorId: 1, idTag: 'x', timestamp: '2026-11-21T08:00:00Z' });
    assert.equal(judge('lenient', missing).refused[0]?.keyword, 'required');
  });
});
