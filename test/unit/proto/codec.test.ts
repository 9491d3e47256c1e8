// The codec encodes plain objects without protobufjs's fromObject copy where it can: the bytes
// must be exactly those fromObject would give, for every message type, as the node holds them
// (decoded with every default present, enums as names, 64-bit numbers as numbers).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import protobuf from 'protobufjs';
import { codecFor } from '../../../src/proto/codec.ts';
import { loadProtoRoot } from '../../../src/proto/schema.ts';
import type { ProtoTypes } from '../../../src/proto/types.ts';
import { sampleMessage } from '../../helpers/proto-sample.ts';

const AS_HELD: protobuf.IConversionOptions = { longs: Number, enums: String, defaults: true };

describe('protobuf codec', () => {
  it('encodes every message type to the bytes fromObject gives, all fields set or all default', () => {
    const root = loadProtoRoot();
    const checked: string[] = [];
    const visit = (ns: protobuf.NamespaceBase): void => {
      for (const nested of ns.nestedArray) {
        if (nested instanceof protobuf.Type) {
          const name = nested.fullName.slice(1) as keyof ProtoTypes;
          const codec = codecFor(name);
          for (const bytes of [nested.encode(nested.fromObject(sampleMessage(nested))).finish(), new Uint8Array(0)]) {
            const held = nested.toObject(nested.decode(bytes), AS_HELD);
            const expected = nested.encode(nested.fromObject(held)).finish();
            assert.deepEqual(Buffer.from(codec.encode(held as ProtoTypes[typeof name])), Buffer.from(expected), `${name} (${bytes.length ? 'all set' : 'defaults'})`);
          }
          checked.push(name);
        }
        if (nested instanceof protobuf.Namespace) visit(nested);
      }
    };
    visit(root);
    for (const name of ['gateway.ChargePointState', 'cgw.SignedEnvelope', 'events.Event', 'store.MeterSample']) assert.ok(checked.includes(name), name);
  });

  it('clamps numbers beyond 64 bits as fromObject does (a station can send an absurd meter reading), in every message type', () => {
    const root = loadProtoRoot();
    let checked = 0;
    const visit = (ns: protobuf.NamespaceBase): void => {
      for (const nested of ns.nestedArray) {
        if (nested instanceof protobuf.Type && nested.fieldsArray.length) {
          const name = nested.fullName.slice(1) as keyof ProtoTypes;
          for (const long of [1e19, -1e19, 2 ** 63, Infinity, -Infinity]) {
            const held = sampleMessage(nested, 0, long);
            const expected = nested.encode(nested.fromObject(held)).finish();
            assert.deepEqual(Buffer.from(codecFor(name).encode(held as ProtoTypes[typeof name])), Buffer.from(expected), `${name} with ${long}`);
          }
          checked++;
        }
        if (nested instanceof protobuf.Namespace) visit(nested);
      }
    };
    visit(root);
    assert.ok(checked > 50);
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
});
