import protobuf from 'protobufjs';

/**
 * Writes the TypeScript interfaces for every message and enum of a protobuf root, in the
 * shape codec.ts produces: scalars, maps and repeated fields always present; nested
 * messages, oneof members and proto3 `optional` fields optional; enums as their names.
 */
export function generateTypes(root: protobuf.Root): string {
  const types: protobuf.Type[] = [];
  const enums: protobuf.Enum[] = [];
  collect(root, types, enums);
  const out: string[] = [
    '// Generated from proto/ by `npm run gen:proto`. Do not edit: change the .proto files.',
    '',
  ];
  for (const e of enums) {
    out.push(`export type ${tsName(e)} = ${Object.keys(e.values).map((v) => JSON.stringify(v)).join(' | ')};`, '');
  }
  for (const t of types) {
    out.push(`export interface ${tsName(t)} {`);
    for (const field of t.fieldsArray) {
      // Nested messages, oneof members and proto3 `optional` scalars are absent unless set.
      const optional = field.partOf !== null || (!field.map && !field.repeated && field.resolvedType instanceof protobuf.Type);
      out.push(`  ${field.name}${optional ? '?' : ''}: ${fieldType(field)};`);
    }
    out.push('}', '');
  }
  out.push('/** Every message type by its full protobuf name. */', 'export interface ProtoTypes {');
  for (const t of types) out.push(`  ${JSON.stringify(t.fullName.slice(1))}: ${tsName(t)};`);
  out.push('}', '');
  return out.join('\n');
}

function collect(ns: protobuf.NamespaceBase, types: protobuf.Type[], enums: protobuf.Enum[]): void {
  for (const nested of ns.nestedArray) {
    if (nested instanceof protobuf.Type) types.push(nested);
    else if (nested instanceof protobuf.Enum) enums.push(nested);
    if (nested instanceof protobuf.Namespace) collect(nested, types, enums);
  }
}

/** `gateway.ChargePointState` -> `ChargePointState`; other packages get a prefix so names never clash. */
function tsName(r: protobuf.ReflectionObject): string {
  const parts = r.fullName.slice(1).split('.');
  const pkg = parts.shift() ?? '';
  const local = parts.join('_');
  return pkg === 'gateway' ? local : `${pkg[0]?.toUpperCase()}${pkg.slice(1)}_${local}`;
}

function scalarType(type: string): string {
  switch (type) {
    case 'string': return 'string';
    case 'bool': return 'boolean';
    case 'bytes': return 'Uint8Array';
    default: return 'number';
  }
}

/** The literal values a string field's comment lists (`values: a | b | ""`), if any. */
export function declaredValues(field: protobuf.Field): string[] | undefined {
  const line = /^\s*values:\s*(.+)$/m.exec(field.comment ?? '')?.[1];
  if (field.type !== 'string' || !line) return undefined;
  return line.split('|').map((v) => v.trim()).map((v) => (v === '""' ? '' : v));
}

function fieldType(field: protobuf.Field): string {
  const resolved = field.resolvedType;
  const values = declaredValues(field);
  const value = values ? `(${values.map((v) => JSON.stringify(v)).join(' | ')})` : resolved ? tsName(resolved) : scalarType(field.type);
  if (field instanceof protobuf.MapField) return `Record<string, ${value}>`;
  return field.repeated ? `${value}[]` : value;
}
