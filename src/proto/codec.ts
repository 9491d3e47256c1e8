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

/**
 * protobufjs encodes a plain object as it is when its values already have the wire's types
 * (which the generated types promise); only enums are held as names and must become numbers.
 * `fromObject` would copy the whole object (and make a Long of every 64-bit number) on each
 * encode: a type whose enums are all top-level scalars gets a shallow copy with them
 * converted, and only a type with enums deeper down goes through `fromObject`. The bytes are
 * the same either way (test/unit/proto/codec.test.ts).
 */
function encoderFor(type: protobuf.Type): (value: Record<string, unknown>) => Uint8Array {
  const enums = type.fieldsArray.filter((f) => f.resolvedType instanceof protobuf.Enum);
  const deeper = type.fieldsArray.some((f) => f.resolvedType instanceof protobuf.Type && holdsEnum(f.resolvedType));
  if (deeper || enums.some((f) => f.repeated || f.map)) return (value) => type.encode(type.fromObject(value)).finish();
  if (!enums.length) return (value) => type.encode(value).finish();
  const numbers = enums.map((f) => [f.name, (f.resolvedType as protobuf.Enum).values] as const);
  return (value) => {
    const ready = { ...value };
    for (const [name, values] of numbers) {
      const v = ready[name];
      // A name the enum lacks is left out, as fromObject does.
      if (typeof v === 'string') ready[name] = values[v];
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
