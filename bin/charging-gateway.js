#!/usr/bin/env node
// Runs the TypeScript CLI. The sources run on Node >= 22.18 (built-in type stripping); on an
// older Node this re-runs itself with the Node 22 that the `node` devDependency installed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const [major, minor] = process.versions.node.split('.').map(Number);
const cli = fileURLToPath(new URL('../gateway/cli.ts', import.meta.url));
if (major > 22 || (major === 22 && minor >= 18)) {
  await import(cli);
} else {
  const bundled = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));
  if (!existsSync(bundled)) {
    console.error(`charging-gateway needs Node.js 22.18 or newer (this is ${process.version}); run npm install to get one.`);
    process.exit(1);
  }
  const result = spawnSync(bundled, [cli, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
