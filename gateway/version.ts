import { readFileSync } from 'node:fs';

/** The package version, for --version and the OpenAPI document. */
export const PACKAGE_VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
