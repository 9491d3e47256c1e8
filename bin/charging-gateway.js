#!/usr/bin/env node
// Runs the TypeScript CLI. The sources run on Node >= 22.18 (built-in type stripping); on an
// older Node this runs them with the Node 22 that the `node` devDependency installed. The node
// itself (`start`) runs with the V8 flags it is measured with (gateway/node-flags.js). Either way as
// a child that gets every signal this process gets (a supervisor's SIGTERM, a terminal's
// Ctrl-C) and whose exit code this process exits with.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { NODE_FLAGS } from '../gateway/node-flags.js';

const [major, minor] = process.versions.node.split('.').map(Number);
const cli = fileURLToPath(new URL('../gateway/cli.ts', import.meta.url));
const current = major > 22 || (major === 22 && minor >= 18);
const flags = process.argv[2] === 'start' ? NODE_FLAGS.filter((f) => !process.execArgv.includes(f)) : [];
if (current && !flags.length) {
  await import(cli);
} else {
  const bundled = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));
  if (!current && !existsSync(bundled)) {
    console.error(`charging-gateway needs Node.js 22.18 or newer (this is ${process.version}); run npm install to get one.`);
    process.exit(1);
  }
  const child = spawn(current ? process.execPath : bundled, [...flags, cli, ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    // Passed on, and this process waits for the child. A terminal's Ctrl-C already reaches the
    // child (same process group), so SIGINT is passed on only when not at a terminal.
    process.on(signal, () => {
      if (signal === 'SIGINT' && process.stdin.isTTY) return;
      if (child.exitCode === null) child.kill(signal);
    });
  }
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1 }[signal] ?? 1) : 1)));
}
