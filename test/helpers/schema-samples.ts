import { createRequire } from 'node:module';

type Schema = Record<string, any>;
const require = createRequire(import.meta.url);
const FILES = { 'ocpp1.6': 'ocpp-rpc/lib/schemas/ocpp1_6.json', 'ocpp2.0.1': 'ocpp-rpc/lib/schemas/ocpp2_0_1.json' } as const;

/**
 * The smallest payload each request schema allows (required fields only, first enum value,
 * shortest strings), built from the official schemas that ocpp-rpc ships: seeds for fuzzing
 * every action of a version, including the ones no hand-written test sends.
 */
export function minimalRequests(version: keyof typeof FILES): Map<string, Record<string, unknown>> {
  const schemas = require(FILES[version]) as Schema[];
  const out = new Map<string, Record<string, unknown>>();
  for (const schema of schemas) {
    const m = /^urn:(\w+)\.req$/.exec(schema.$id as string);
    if (m) out.set(m[1]!, sample(schema, schema) as Record<string, unknown>);
  }
  return out;
}

function sample(node: Schema, root: Schema): unknown {
  if (node.$ref) return sample(node.$ref.slice(2).split('/').reduce((n: Schema, key: string) => n[key], root), root);
  if (node.enum) return node.enum[0];
  switch (node.type) {
    case 'object':
      return Object.fromEntries((node.required ?? []).map((key: string) => [key, sample(node.properties[key], root)]));
    case 'array':
      return Array.from({ length: Math.max(1, node.minItems ?? 0) }, () => sample(node.items, root));
    case 'string':
      return node.format === 'date-time' ? new Date().toISOString() : 'x'.repeat(Math.max(1, node.minLength ?? 0));
    case 'integer':
    case 'number':
      return node.minimum ?? 1;
    case 'boolean':
      return true;
    default:
      return {};
  }
}
