import { createRequire } from 'node:module';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { OcppVersion } from './version.ts';
import { isTimestamp } from './timestamps.ts';

const require = createRequire(import.meta.url);

// The official OCA JSON schemas as shipped (complete and faithful) by the ocpp-rpc package.
const SCHEMA_FILES: Record<OcppVersion, string> = {
  'ocpp1.6': 'ocpp-rpc/lib/schemas/ocpp1_6.json',
  'ocpp2.0.1': 'ocpp-rpc/lib/schemas/ocpp2_0_1.json',
};

export type JsonSchema = { $id: string } & Record<string, unknown>;

/** One problem a payload has against its schema. */
export interface SchemaIssue {
  /** JSON pointer of the offending value, "" for the payload itself. */
  path: string;
  keyword: string;
  message: string;
  /** minItems: the least number of items the schema asks for. */
  limit?: number;
}

/** Corrections applied at load time for errata and what real meters send (OCPP-RULES.md). */
function applyKnownFixes(version: OcppVersion, schemas: JsonSchema[]): void {
  const visit = (node: unknown, fix: (obj: Record<string, unknown>, key: string) => void): void => {
    if (typeof node !== 'object' || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      fix(node as Record<string, unknown>, key);
      visit(value, fix);
    }
  };
  for (const schema of schemas) {
    if (version === 'ocpp1.6' && (schema.$id === 'urn:MeterValues.req' || schema.$id === 'urn:StopTransaction.req')) {
      visit(schema, (obj, key) => {
        const unit = obj[key] as { enum?: string[] };
        if (key === 'unit' && Array.isArray(unit.enum)) {
          unit.enum = [...new Set([...unit.enum, 'Celsius', 'Celcius', 'Hertz'])];
        }
      });
    }
    if (version === 'ocpp2.0.1' && schema.$id === 'urn:Get15118EVCertificate.conf') {
      visit(schema, (obj, key) => {
        if (key === 'exiResponse') (obj[key] as { maxLength?: number }).maxLength = 7500;
      });
    }
  }
}

/** The version's official schemas with the known fixes applied: what validates payloads and what their types are generated from. */
export function loadSchemas(version: OcppVersion): JsonSchema[] {
  const schemas = structuredClone(require(SCHEMA_FILES[version]) as JsonSchema[]);
  applyKnownFixes(version, schemas);
  return schemas;
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv, formats: string[]) => Ajv;

/** Validators for every action of one OCPP version, compiled once. */
export class SchemaSet {
  readonly version: OcppVersion;
  readonly actions: ReadonlySet<string>;
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(version: OcppVersion) {
    this.version = version;
    const schemas = loadSchemas(version);
    // multipleOf 0.1 on floats fails for values like 0.3 without a precision setting.
    this.ajv = new Ajv({ strictSchema: false, allErrors: true, multipleOfPrecision: 6 });
    addFormats(this.ajv, ['uri']);
    // Timestamps are read leniently everywhere (offset optional, any fraction).
    this.ajv.addFormat('date-time', { type: 'string', validate: isTimestamp });
    // Registered under "Action.req"/"Action.conf": ajv's URI parser rejects the files' "urn:" ids.
    for (const { $id, ...schema } of schemas) this.ajv.addSchema(schema, $id.replace(/^urn:/, ''));
    this.actions = new Set(schemas.filter((s) => s.$id.endsWith('.req')).map((s) => s.$id.slice(4, -4)));
  }

  /** Issues of `payload` as the request (`req`) or response (`conf`) of `action`; [] when valid. */
  validate(action: string, direction: 'req' | 'conf', payload: unknown): SchemaIssue[] {
    const id = `${action}.${direction}`;
    let validate = this.compiled.get(id);
    if (!validate) {
      validate = this.ajv.getSchema(id);
      if (!validate) throw new Error(`no ${this.version} schema for ${action}.${direction}`);
      this.compiled.set(id, validate);
    }
    if (validate(payload)) return [];
    return (validate.errors ?? []).map(toIssue);
  }
}

function toIssue(e: ErrorObject): SchemaIssue {
  const path = e.keyword === 'additionalProperties' || e.keyword === 'required'
    ? `${e.instancePath}/${String(e.params.additionalProperty ?? e.params.missingProperty)}`
    : e.instancePath;
  const limit = e.keyword === 'minItems' && typeof e.params.limit === 'number' ? { limit: e.params.limit } : {};
  return { path, keyword: e.keyword, message: `${path || '/'} ${e.message ?? 'is invalid'}`, ...limit };
}

const cache = new Map<OcppVersion, SchemaSet>();

/** The shared, lazily compiled schema set of a version. */
export function schemasFor(version: OcppVersion): SchemaSet {
  let set = cache.get(version);
  if (!set) {
    set = new SchemaSet(version);
    cache.set(version, set);
  }
  return set;
}
