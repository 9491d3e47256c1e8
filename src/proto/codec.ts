import protobuf from 'protobufjs';
import { loadProtoRoot } from './schema.ts';
import type { ProtoTypes } from './types.ts';

/** Encodes and decodes one protobuf message type as the plain objects of src/proto/types.ts. */
export interface MessageCodec<T> {
  encode(value: T): Uint8Array;
  /** Throws on bytes that are not a valid encoding of the message. */
  decode(bytes: Uint8Array): T;
}

// Decoded objects carry every scalar, map and repeated field (defaults included), so
// readers never have to tell "absent" from "zero"; nested messages stay optional.
const TO_OBJECT: protobuf.IConversionOptions = { longs: Number, enums: String, defaults: true };

let sharedRoot: protobuf.Root | undefined;

type Fix = (message: Record<string, unknown>) => void;

/**
 * A `float` field decodes to the double nearest its 32 bits (16.1 → 16.100000381469727).
 * Decoded floats are given back as the shortest decimal with a float's precision, so what
 * was written is what is read and shown. Undefined when the type holds no float anywhere.
 */
function floatFix(type: protobuf.Type, seen = new Map<protobuf.Type, Fix | undefined>()): Fix | undefined {
  if (seen.has(type)) return seen.get(type);
  seen.set(type, undefined);
  const fixes: Fix[] = [];
  for (const field of type.fieldsArray) {
    const name = field.name;
    const each = (fix: (v: unknown) => unknown): Fix => (m) => {
      const v = m[name];
      if (v === undefined || v === null) return;
      if (field.repeated && Array.isArray(v)) m[name] = v.map(fix);
      else if (field.map && typeof v === 'object') for (const [k, x] of Object.entries(v as Record<string, unknown>)) (v as Record<string, unknown>)[k] = fix(x);
      else m[name] = fix(v);
    };
    if (field.type === 'float') {
      fixes.push(each((v) => (typeof v === 'number' && Number.isFinite(v) ? Number(v.toPrecision(7)) : v)));
    } else if (field.resolvedType instanceof protobuf.Type) {
      const inner = floatFix(field.resolvedType, seen);
      if (inner) fixes.push(each((v) => { if (v && typeof v === 'object') inner(v as Record<string, unknown>); return v; }));
    }
  }
  const fix = fixes.length ? (m: Record<string, unknown>) => { for (const f of fixes) f(m); } : undefined;
  seen.set(type, fix);
  return fix;
}

function holdsEnum(type: protobuf.Type, seen = new Set<protobuf.Type>()): boolean {
  if (seen.has(type)) return false;
  seen.add(type);
  return type.fieldsArray.some((f) => f.resolvedType instanceof protobuf.Enum || (f.resolvedType instanceof protobuf.Type && holdsEnum(f.resolvedType, seen)));
}

const LONG_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
type Kind = 'one' | 'list' | 'map';
// The 64-bit fields of a type and the message fields that lead to more: where a number beyond
// 64 bits may sit. undefined when the type holds no 64-bit field anywhere.
interface LongPlan { longs: { name: string; kind: Kind }[]; nested: { name: string; kind: Kind; plan: LongPlan }[] }

const kindOf = (f: protobuf.Field): Kind => (f.map ? 'map' : f.repeated ? 'list' : 'one');

function longPlan(type: protobuf.Type, seen = new Map<protobuf.Type, LongPlan | undefined>()): LongPlan | undefined {
  if (seen.has(type)) return seen.get(type);
  const plan: LongPlan = { longs: [], nested: [] };
  seen.set(type, plan);
  for (const f of type.fieldsArray) {
    if (LONG_TYPES.has(f.type)) plan.longs.push({ name: f.name, kind: kindOf(f) });
    else if (f.resolvedType instanceof protobuf.Type) {
      const inner = longPlan(f.resolvedType, seen);
      if (inner) plan.nested.push({ name: f.name, kind: kindOf(f), plan: inner });
    }
  }
  const holds = plan.longs.length > 0 || plan.nested.length > 0;
  seen.set(type, holds ? plan : undefined);
  return holds ? plan : undefined;
}

// Whether any value of a field (one, a list's or a map's) passes `test`.
function anyValue(v: unknown, kind: Kind, test: (x: unknown) => boolean): boolean {
  if (v === null || v === undefined) return false;
  if (kind === 'one') return test(v);
  return (kind === 'list' && Array.isArray(v) ? v : Object.values(v as object)).some(test);
}

const beyond64 = (x: unknown): boolean => typeof x === 'number' && !(Math.abs(x) < 2 ** 63) && !Number.isNaN(x);

/** Whether a number beyond what 64 bits hold (or an infinity) sits in a 64-bit field. */
function holdsHugeLong(plan: LongPlan, m: Record<string, unknown>): boolean {
  for (const { name, kind } of plan.longs) if (anyValue(m[name], kind, beyond64)) return true;
  for (const { name, kind, plan: inner } of plan.nested) {
    if (anyValue(m[name], kind, (x) => typeof x === 'object' && x !== null && holdsHugeLong(inner, x as Record<string, unknown>))) return true;
  }
  return false;
}

/**
 * protobufjs encodes a plain object as it is when its values already have the wire's types
 * (which the generated types promise); only enums are held as names and must become numbers.
 * `fromObject` would copy the whole object (and make a Long of every 64-bit number) on each
 * encode: a type whose enums are all top-level scalars gets a shallow copy with them
 * converted, and only a type with enums deeper down goes through `fromObject`. A number beyond
 * 64 bits (a station's absurd meter reading) also goes through `fromObject`, which clamps it
 * where the encoder alone would wrap it round. The bytes are the same either way
 * (test/unit/proto/codec.test.ts).
 */
function encoderFor(type: protobuf.Type): (value: Record<string, unknown>) => Uint8Array {
  const enums = type.fieldsArray.filter((f) => f.resolvedType instanceof protobuf.Enum);
  const deeper = type.fieldsArray.some((f) => f.resolvedType instanceof protobuf.Type && holdsEnum(f.resolvedType));
  const viaFromObject = (value: Record<string, unknown>): Uint8Array => type.encode(type.fromObject(value)).finish();
  if (deeper || enums.some((f) => f.repeated || f.map)) return viaFromObject;
  const longs = longPlan(type);
  const numbers = enums.map((f) => [f.name, (f.resolvedType as protobuf.Enum).values] as const);
  return (value) => {
    if (longs && holdsHugeLong(longs, value)) return viaFromObject(value);
    if (!numbers.length) return type.encode(value).finish();
    const ready = { ...value };
    for (const [name, values] of numbers) {
      const v = ready[name];
      // A name the enum lacks is left out, as fromObject does (`values` inherits the numbers' names).
      if (typeof v === 'string') ready[name] = Object.hasOwn(values, v) ? values[v] : undefined;
    }
    return type.encode(ready).finish();
  };
}

export function codecFor<N extends keyof ProtoTypes>(name: N): MessageCodec<ProtoTypes[N]> {
  sharedRoot ??= loadProtoRoot();
  const type = sharedRoot.lookupType(name);
  const fix = floatFix(type);
  const encode = encoderFor(type);
  return {
    encode: (value) => encode(value as Record<string, unknown>),
    decode: (bytes) => {
      const out = type.toObject(type.decode(bytes), TO_OBJECT);
      fix?.(out);
      return out as ProtoTypes[N];
    },
  };
}

/**
 * Reads one top-level integer field of a message without decoding the rest (0 when absent, as
 * proto3 reads it): for a scan over many stored records that needs one number from each.
 */
export function integerFieldReader(name: keyof ProtoTypes, field: string): (bytes: Uint8Array) => number {
  sharedRoot ??= loadProtoRoot();
  const f = sharedRoot.lookupType(name).fields[field];
  if (!f || !['int32', 'int64', 'uint32', 'uint64'].includes(f.type) || f.repeated) throw new Error(`${name}.${field} is not a single integer field`);
  const id = f.id;
  return (bytes) => {
    const reader = protobuf.Reader.create(bytes);
    let value = 0;
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      // The last occurrence wins, as in a full decode.
      if (tag >>> 3 === id && (tag & 7) === 0) {
        // A Long where the long package is installed, a number otherwise.
        const v: unknown = reader.int64();
        value = typeof v === 'number' ? v : (v as { toNumber(): number }).toNumber();
      } else {
        reader.skipType(tag & 7);
      }
    }
    return value;
  };
}
