import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import { SECRET_KEYS, configSchema, type Config } from './schema.ts';

/** A configuration problem, told to the operator as one line naming the key and the value. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export const ENV_PREFIX = 'CGW_';

interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
}

/** Every configurable leaf: its dotted path, environment variable and JSON type. */
export function configLeaves(node: SchemaNode = configSchema as SchemaNode, path: string[] = []): { path: string[]; env: string; type: string }[] {
  if (node.type === 'object' && node.properties) {
    return Object.entries(node.properties).flatMap(([key, child]) => configLeaves(child, [...path, key]));
  }
  const env = ENV_PREFIX + path.map((p) => p.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_');
  return [{ path, env, type: node.type ?? 'string' }];
}

function parseEnvValue(raw: string, type: string, env: string): unknown {
  switch (type) {
    case 'integer':
    case 'number': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) throw new ConfigError(`${env}: expected a number, got "${raw}"`);
      return n;
    }
    case 'boolean':
      if (/^(true|1|yes)$/i.test(raw)) return true;
      if (/^(false|0|no)$/i.test(raw)) return false;
      throw new ConfigError(`${env}: expected true or false, got "${raw}"`);
    case 'array':
    case 'object':
      try {
        return JSON.parse(raw);
      } catch {
        // The value may hold secrets (admin.tokens, stations.list): never echoed.
        throw new ConfigError(`${env}: expected JSON (${raw.length} characters that do not parse)`);
      }
    default:
      return raw;
  }
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    node = (typeof next === 'object' && next !== null ? next : (node[key] = {})) as Record<string, unknown>;
  }
  node[path.at(-1)!] = value;
}

/** Whether a value's path (array indexes included) is one of SECRET_KEYS: its value is never printed. */
function isSecretPath(segments: string[]): boolean {
  const named = segments.filter((s) => !/^\d+$/.test(s)).join('.');
  return SECRET_KEYS.some((k) => k.replaceAll('[]', '') === named);
}

function describe(e: ErrorObject, config: unknown): string {
  const segments = e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let value: unknown = config;
  for (const s of segments) value = (value as Record<string, unknown> | undefined)?.[s];
  const key = segments.join('.') || '(root)';
  if (e.keyword === 'additionalProperties') return `unknown key ${segments.concat(String(e.params.additionalProperty)).join('.')}`;
  if (e.keyword === 'required') return `${key}: missing ${String(e.params.missingProperty)}`;
  return `${key} ${e.message ?? 'is invalid'}${isSecretPath(segments) ? '' : ` (got ${JSON.stringify(value)})`}`;
}

const validate = new Ajv({ useDefaults: true, allErrors: false, strict: true, strictTypes: false }).compile(configSchema);

/**
 * The effective configuration: the schema's embedded defaults, then the optional JSON file,
 * then CGW_* environment variables. Throws ConfigError on the first bad key.
 */
export function loadConfig(options: { file?: string; env?: NodeJS.ProcessEnv } = {}): Config {
  const env = options.env ?? process.env;
  let config: Record<string, unknown> = {};
  if (options.file) {
    let text: string;
    try {
      text = readFileSync(options.file, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read config file ${options.file}: ${(err as Error).message}`);
    }
    try {
      config = JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      throw new ConfigError(`config file ${options.file} is not valid JSON: ${(err as Error).message}`);
    }
    if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new ConfigError(`config file ${options.file} must hold a JSON object`);
  }
  for (const leaf of configLeaves()) {
    const raw = env[leaf.env];
    if (raw !== undefined) setPath(config, leaf.path, parseEnvValue(raw, leaf.type, leaf.env));
  }
  if (!validate(config)) throw new ConfigError(`invalid configuration: ${describe(validate.errors![0]!, config)}`);
  const valid = config as unknown as Config;
  const tls = valid.ocpp.tls;
  if (tls.enabled && (!tls.keyFile || !tls.certFile)) throw new ConfigError('invalid configuration: ocpp.tls.enabled needs ocpp.tls.keyFile and ocpp.tls.certFile');
  for (const s of valid.stations.list) {
    if ((s.securityProfile === 1 || s.securityProfile === 2) && !s.password) {
      throw new ConfigError(`invalid configuration: station ${s.identity} uses security profile ${s.securityProfile} and needs a password`);
    }
    if (s.securityProfile >= 2 && !tls.enabled) throw new ConfigError(`invalid configuration: station ${s.identity} uses security profile ${s.securityProfile}, which needs ocpp.tls.enabled`);
  }
  if (valid.chain.endpoint && !valid.p2p.enabled) {
    throw new ConfigError('invalid configuration: chain.endpoint needs p2p.enabled (the gateway key is its chain account)');
  }
  for (const [name, files] of Object.entries({ chargingStation: valid.pnc.ca.chargingStation, v2g: valid.pnc.ca.v2g })) {
    if (Boolean(files.certFile) !== Boolean(files.keyFile)) throw new ConfigError(`invalid configuration: pnc.ca.${name} needs both certFile and keyFile`);
  }
  const ids = valid.stations.list.map((s) => s.identity);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) throw new ConfigError(`invalid configuration: station ${dup} is listed twice`);
  return valid;
}

/** A copy of the configuration with every secret (SECRET_KEYS) written as "***", for printing. */
export function redactSecrets(config: Config): Config {
  const copy = structuredClone(config) as unknown as Record<string, unknown>;
  const redact = (node: unknown, path: string[]): void => {
    if (!node || typeof node !== 'object' || !path.length) return;
    const [head, ...rest] = path as [string, ...string[]];
    const arrayKey = head.endsWith('[]') ? head.slice(0, -2) : undefined;
    const record = node as Record<string, unknown>;
    if (arrayKey !== undefined) {
      for (const item of (record[arrayKey] as unknown[] | undefined) ?? []) redact(item, rest);
    } else if (!rest.length) {
      if (typeof record[head] === 'string' && record[head] !== '') record[head] = '***';
    } else {
      redact(record[head], rest);
    }
  };
  for (const key of SECRET_KEYS) redact(copy, key.split('.'));
  return copy as unknown as Config;
}
