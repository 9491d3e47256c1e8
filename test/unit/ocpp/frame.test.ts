import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameError, decodeFrame, encodeCall, encodeError } from '../../../src/ocpp/core/frame.ts';

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
