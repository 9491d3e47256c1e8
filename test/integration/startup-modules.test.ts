// What a node loads to start. polkadot-js (the chain client, sr25519, SS58) was about 2 s of
// module loading at every start, more than the rest of the node together, also on nodes with no
// chain configured (seen: 3.1-3.9 s to accept stations with 10,000 in storage, 1.8-1.9 s
// without it; BENCHMARKS.md). It now loads only for a configured chain; a first sr25519
// signature loads polkadot-js's WebAssembly schnorrkel in a worker thread, not in the node's.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { spawnGateway } from '../helpers/process.ts';
import { tempDir } from '../helpers/gateway.ts';

const dir = tempDir();
// A module hook (Node's module.register) that names every polkadot-js module the node resolves.
const hooks = join(dir, 'hooks.mjs');
writeFileSync(hooks, `export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (resolved.url.includes('/node_modules/@polkadot/')) console.error('POLKADOT-MODULE ' + resolved.url);
  return resolved;
}
`);
const register = join(dir, 'register.mjs');
writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);

const polkadotModules = (output: string[]): string[] => output.join('\n').split('\n').filter((l) => l.startsWith('POLKADOT-MODULE '));

describe('what a node loads to start', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('starts with embedded defaults (no chain) without loading polkadot-js', async () => {
    const gateway = await spawnGateway({ CGW_DATA_DIR: join(dir, 'plain') }, { nodeArgs: ['--import', register], timeoutMs: 60_000 });
    try {
      assert.deepEqual(polkadotModules(gateway.output), []);
    } finally {
      await gateway.kill('SIGTERM');
    }
  });

  it('loads the chain client when a chain is configured, and starts while the chain is down', async () => {
    const server = createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    server.close();
    const gateway = await spawnGateway({ CGW_DATA_DIR: join(dir, 'chain'), CGW_CHAIN_ENDPOINT: `ws://127.0.0.1:${port}` }, { nodeArgs: ['--import', register], timeoutMs: 60_000 });
    try {
      const loaded = polkadotModules(gateway.output);
      assert.ok(loaded.some((l) => l.includes('/@polkadot/api/')), loaded.join('\n'));
      assert.ok(gateway.output.some((l) => l.includes('"connecting to the chain"')));
    } finally {
      await gateway.kill('SIGTERM');
    }
  });
});
