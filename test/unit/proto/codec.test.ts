// The codec encodes plain objects without protobufjs's fromObject copy where it can: the bytes
// must be exactly those fromObject would give, for every message type, as the node holds them
// (decoded with every default present, enums as names, 64-bit numbers as numbers).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import protobuf from 'protobufjs';
import { codecFor } from '../../../src/proto/codec.ts';
import { loadProtoRoot } from '../../../src/proto/schema.ts';
import type { ProtoTypes } from '../../../src/proto/types.ts';

const AS_HELD: protobuf.IConversionOptions = { longs: Number, enums: String, defaults: true };

/** Every field set (nested messages a few levels deep), with values at the edges of their types. */
function sample(type: protobuf.Type, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const oneofSeen = new Set<string>();
  for (const f of type.fieldsArray) {
    if (f.partOf && !f.partOf.name.startsWith('_')) {
      if (oneofSeen.has(f.partOf.name)) continue;
      oneofSeen.add(f.partOf.name);
    }
    const value = (): unknown => {
      if (f.resolvedType instanceof protobuf.Enum) return Object.keys(f.resolvedType.values).at(-1);
      if (f.resolvedType instanceof protobuf.Type) return depth > 2 ? undefined : sample(f.resolvedType, depth + 1);
      switch (f.type) {
        case 'string': return `${f.name}-é€`;
        case 'bool': return true;
        case 'bytes': return Buffer.from([0, 255, 7]);
        case 'float': case 'double': return -16.25;
        case 'int32': case 'sint32': case 'sfixed32': return -2_000_000_000;
        case 'uint32': case 'fixed32': return 4_000_000_000;
        case 'int64': case 'sint64': case 'sfixed64': return -9_007_199_254_740_991;
        default: return 9_007_199_254_740_991;
      }
    };
    const v = value();
    if (v === undefined) continue;
    if (f.map) out[f.name] = 'keyType' in f && f.keyType === 'string' ? { a: v, '': v } : { '-3': v, 5: v };
    else out[f.name] = f.repeated ? [v, v] : v;
  }
  return out;
}

describe('protobuf codec', () => {
  it('encodes every message type to the bytes fromObject gives, all fields set or all default', () => {
    const root = loadProtoRoot();
    const checked: string[] = [];
    const visit = (ns: protobuf.NamespaceBase): void => {
      for (const nested of ns.nestedArray) {
        if (nested instanceof protobuf.Type) {
          const name = nested.fullName.slice(1) as keyof ProtoTypes;
          const codec = codecFor(name);
          for (const bytes of [nested.encode(nested.fromObject(sample(nested, 0))).finish(), new Uint8Array(0)]) {
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

  it('leaves out an enum name the schema does not know, as fromObject does', () => {
    const codec = codecFor('cgw.SignedEnvelope');
    const envelope = codec.decode(codec.encode(codec.decode(new Uint8Array(0))));
    const unknown = { ...envelope, scheme: 'NoSuchScheme' } as unknown as typeof envelope;
    assert.deepEqual(codec.decode(codec.encode(unknown)), envelope);
  });
});
