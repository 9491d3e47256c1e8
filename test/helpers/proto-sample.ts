import protobuf from 'protobufjs';

/**
 * A plain object of `type` with every field set (one member of each real oneof, nested messages
 * a few levels deep), with values at the edges of their types: negative and 53-bit numbers,
 * multi-byte text, bytes with 0 and 255, maps with negative and string keys. `long` is the
 * value of every signed 64-bit field (its negation in the unsigned ones).
 */
export function sampleMessage(type: protobuf.Type, depth = 0, long = -9_007_199_254_740_991): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const oneofSeen = new Set<string>();
  for (const f of type.fieldsArray) {
    if (f.partOf && !f.partOf.name.startsWith('_')) {
      if (oneofSeen.has(f.partOf.name)) continue;
      oneofSeen.add(f.partOf.name);
    }
    const value = (): unknown => {
      if (f.resolvedType instanceof protobuf.Enum) return Object.keys(f.resolvedType.values).at(-1);
      if (f.resolvedType instanceof protobuf.Type) return depth > 2 ? undefined : sampleMessage(f.resolvedType, depth + 1, long);
      switch (f.type) {
        case 'string': return `${f.name}-é€`;
        case 'bool': return true;
        case 'bytes': return Buffer.from([0, 255, 7]);
        case 'float': case 'double': return -16.25;
        case 'int32': case 'sint32': case 'sfixed32': return -2_000_000_000;
        case 'uint32': case 'fixed32': return 4_000_000_000;
        case 'int64': case 'sint64': case 'sfixed64': return long;
        default: return -long;
      }
    };
    const v = value();
    if (v === undefined) continue;
    if (f.map) out[f.name] = 'keyType' in f && f.keyType === 'string' ? { a: v, '': v } : { '-3': v, 5: v };
    else out[f.name] = f.repeated ? [v, v] : v;
  }
  return out;
}

/** Every message type under `ns`, nested ones included, with its name without the leading dot. */
export function messageTypes(ns: protobuf.NamespaceBase): { name: string; type: protobuf.Type }[] {
  const out: { name: string; type: protobuf.Type }[] = [];
  for (const nested of ns.nestedArray) {
    if (nested instanceof protobuf.Type) out.push({ name: nested.fullName.slice(1), type: nested });
    if (nested instanceof protobuf.Namespace) out.push(...messageTypes(nested));
  }
  return out;
}
