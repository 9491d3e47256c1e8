import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameError, decodeFrame, encodeCall, encodeError } from '../../../src/ocpp/core/frame.ts';
import { redactedFrame } from '../../../src/ocpp/core/frame-capture.ts';

const failure = (text: string): FrameError => {
  try {
    decodeFrame(text);
  } catch (err) {
    if (err instanceof FrameError) return err;
    throw err;
  }
  throw new Error('decoded');
};

describe('frame codec', () => {
  it('decodes the three message types', () => {
    assert.deepEqual(decodeFrame('[2,"a","Heartbeat",{}]'), { type: 2, id: 'a', action: 'Heartbeat', payload: {} });
    assert.deepEqual(decodeFrame('[3,"a",{"x":1}]'), { type: 3, id: 'a', payload: { x: 1 } });
    assert.deepEqual(decodeFrame('[4,"a","NotSupported","no",{}]'), { type: 4, id: 'a', code: 'NotSupported', description: 'no', details: {} });
  });

  it('tells which frames carry a readable id and which are responses', () => {
    assert.equal(failure('nope').id, undefined);
    assert.equal(failure('[2,1,"Heartbeat",{}]').id, undefined);
    assert.equal(failure('[2,"a","Heartbeat",[]]').id, 'a');
    assert.equal(failure('[2,"a","Heartbeat",[]]').kind, 'FormatViolation');
    assert.equal(failure('[2,"a",3,{}]').kind, 'RpcFrameworkError');
    assert.equal(failure('[3,"a",null]').isResponse, true);
    assert.equal(failure('[2,"' + 'x'.repeat(37) + '","Heartbeat",{}]').id, undefined);
  });

  it('keeps unknown message types apart for the version to decide', () => {
    assert.deepEqual(decodeFrame('[9,"z",{}]'), { type: 'unknown', id: 'z', messageType: 9 });
  });

  it('encodes frames as OCPP-J arrays with {} payloads', () => {
    assert.equal(encodeCall('1', 'Heartbeat', {}), '[2,"1","Heartbeat",{}]');
    assert.equal(encodeError('1', 'InternalError', 'x'), '[4,"1","InternalError","x",{}]');
  });
});

describe('captured frames are masked', () => {
  it('masks idTags and credentials in calls and answers, and keeps a frame that is not JSON as text', () => {
    assert.deepEqual(redactedFrame('[2,"1","StartTransaction",{"connectorId":1,"idTag":"ABCDEF123456","meterStart":0,"timestamp":"t"}]'), [2, '1', 'StartTransaction', { connectorId: 1, idTag: '***3456', meterStart: 0, timestamp: 't' }]);
    assert.deepEqual(redactedFrame('[3,"1",{"idTagInfo":{"status":"Accepted","parentIdTag":"FLEET0001"}}]'), [3, '1', { idTagInfo: { status: 'Accepted', parentIdTag: '***0001' } }]);
    assert.deepEqual((redactedFrame('[2,"2","SetVariables",{"setVariableData":[{"attributeValue":"pw","component":{"name":"SecurityCtrlr"},"variable":{"name":"BasicAuthPassword"}}]}]') as unknown[])[3], { setVariableData: [{ attributeValue: '***', component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } }] });
    assert.deepEqual(redactedFrame('not json'), { unreadable: '8 characters, not JSON' }, 'what it held is not shown');
    assert.deepEqual(redactedFrame('{"password":"x"}'), { unreadable: 'JSON, but not an OCPP frame' });
    // An answer is masked without knowing its action: a secret setting by its name.
    assert.deepEqual(redactedFrame('[3,"9",{"configurationKey":[{"key":"AuthorizationKey","readonly":false,"value":"00112233445566778899"},{"key":"HeartbeatInterval","readonly":false,"value":"300"}]}]'),
      [3, '9', { configurationKey: [{ key: 'AuthorizationKey', readonly: false, value: '***' }, { key: 'HeartbeatInterval', readonly: false, value: '300' }] }]);
    // 1.6 Plug & Charge travels as JSON text inside DataTransfer; a short token (a PIN) is not shown at all.
    const pnc = redactedFrame(JSON.stringify([2, '3', 'DataTransfer', { vendorId: 'org.openchargealliance.iso15118pnc', messageId: 'Authorize', data: JSON.stringify({ idToken: { idToken: 'DEABCC1234567890', type: 'eMAID' } }) }])) as unknown[];
    assert.deepEqual(JSON.parse((pnc[3] as { data: string }).data), { idToken: { idToken: '***7890', type: 'eMAID' } });
    assert.deepEqual((redactedFrame('[2,"4","Authorize",{"idToken":{"idToken":"1234","type":"KeyCode"}}]') as unknown[])[3], { idToken: { idToken: '***', type: 'KeyCode' } });
  });
});
