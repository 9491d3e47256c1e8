import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config } from './config/schema.ts';

export function adminTokenFile(config: Config): string {
  return resolve(config.dataDir, 'admin.token');
}

/** The admin API token: configured, or generated once into <dataDir>/admin.token (0600). */
export function adminToken(config: Config): string {
  if (config.admin.token) return config.admin.token;
  const file = adminTokenFile(config);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(config.dataDir, { recursive: true });
  const token = randomBytes(24).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  return token;
}
