// The codec encodes plain objects without protobufjs's fromObject copy where it can: the bytes
// must be exactly those fromObject would give, for every message type, as the node holds them
// (decoded with every default present, enums as names, 64-bit numbers as numbers).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type protobuf from 'protobufjs';
import { codecFor, integerFieldReader } from '../../../src/proto/codec.ts';
import { emptyState } from '../../../src/domain/charge-point.ts';
import { loadProtoRoot } from '../../../src/proto/schema.ts';
import type { ProtoTypes } from '../../../src/proto/types.ts';
import { messageTypes, sampleMessage } from '../../helpers/proto-sample.ts';

const AS_HELD: protobuf.IConversionOptions = { longs: Number, enums: String, defaults: true };
const encoded = (name: string, held: object): Buffer => Buffer.from(codecFor(name as keyof ProtoTypes).encode(held as never));

describe('protobuf codec', () => {
  it('encodes every message type to the bytes fromObject gives, all fields set or all default', () => {
    const types = messageTypes(loadProtoRoot());
    for (const { name, type } of types) {
      for (const bytes of [type.encode(type.fromObject(sampleMessage(type))).finish(), new Uint8Array(0)]) {
        const held = type.toObject(type.decode(bytes), AS_HELD);
        assert.deepEqual(encoded(name, held), Buffer.from(type.encode(type.fromObject(held)).finish()), `${name} (${bytes.length ? 'all set' : 'defaults'})`);
      }
    }
    for (const name of ['gateway.ChargePointState', 'cgw.SignedEnvelope', 'events.Event', 'store.MeterSample']) assert.ok(types.some((t) => t.name === name), name);
  });

  it('clamps numbers beyond 64 bits as fromObject does (a station can send an absurd meter reading), in every message type', () => {
    for (const { name, type } of messageTypes(loadProtoRoot())) {
      for (const long of [1e19, -1e19, 2 ** 63, Infinity, -Infinity]) {
        const held = sampleMessage(type, 0, long);
        assert.deepEqual(encoded(name, held), Buffer.from(type.encode(type.fromObject(held)).finish()), `${name} with ${long}`);
      }
    }
  });

  it('leaves out an enum name the schema does not know, as fromObject does', () => {
    const codec = codecFor('cgw.SignedEnvelope');
    const envelope = codec.decode(codec.encode(codec.decode(new Uint8Array(0))));
    const type = loadProtoRoot().lookupType('cgw.SignedEnvelope');
    for (const scheme of ['NoSuchScheme', '1', 'toString']) {
      const unknown = { ...envelope, scheme } as unknown as typeof envelope;
      assert.deepEqual(Buffer.from(codec.encode(unknown)), Buffer.from(type.encode(type.fromObject(unknown)).finish()), scheme);
      assert.deepEqual(codec.decode(codec.encode(unknown)), envelope, scheme);
    }
  });

  it('reads one integer field of a stored state as a full decode does, whatever else the record holds', () => {
    const codec = codecFor('gateway.ChargePointState');
    const read = integerFieldReader('gateway.ChargePointState', 'eventSeq');
    const state = emptyState('R-1');
    assert.equal(read(codec.encode(state)), 0, 'absent: 0');
    state.boot = { chargeBoxSerialNumber: 'x', chargePointModel: 'M', ChargePointSerialNumber: 'S', ChargePointVendor: 'V', firmwareVersion: '1', iccid: '', imsi: '', meterSerialNumber: '', meterType: '' };
    state.connectors[1] = { id: 1, status: 'Available', currentTransaction: 0, evseId: 0, connectorStatuses: {}, errorCode: '', statusTimestamp: '', statusReceivedAt: '' };
    state.reportsBytes = 2 ** 40;
    for (const seq of [1, 300, 2 ** 31 + 5, 2 ** 50 + 3]) {
      state.eventSeq = seq;
      const bytes = codec.encode(state);
      assert.equal(read(bytes), seq);
      assert.equal(read(bytes), codec.decode(bytes).eventSeq);
    }
    assert.throws(() => integerFieldReader('gateway.ChargePointState', 'boot'), /not a single integer field/);
  });
});
