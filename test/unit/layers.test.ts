// The import directions of shared/DESIGN.md are checked by lint (eslint.layers.js):
// an upward import fails `npm test`.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { layersPlugin } from '../../eslint.layers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const linter = new Linter({ configType: 'flat' });
const config = [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser }, plugins: { layers: layersPlugin }, rules: { 'layers/allowed-imports': 'error' as const } }];
const problems = (file: string, source: string) => linter.verify(source, config, { filename: join(ROOT, file) }).map((m) => m.message);

describe('import directions', () => {
  it('refuses an import that points up a layer, and names what the layer may import', () => {
    assert.match(problems('src/domain/x.ts', "import type { LevelStore } from '../store/level-store.ts';")[0] ?? '', /src\/domain\/x\.ts may not import src\/store\/level-store\.ts/);
    assert.equal(problems('src/store/x.ts', "import { emptyState } from '../ocpp/server.ts';").length, 1);
    assert.equal(problems('chain/x.ts', "import { startGateway } from '../gateway/node.ts';").length, 1);
    assert.equal(problems('src/ocpp/x.ts', "import { x } from '../pnc/ocsp.ts';").length, 1, 'only the listed exceptions may');
    assert.match(problems('gateway/x.ts', "import { x } from '../scripts/dev-chain.ts';")[0] ?? '', /nothing imports scripts/);
  });

  it('lets each layer import what the design allows', () => {
    assert.deepEqual(problems('src/store/x.ts', "import type { ChangeRecord } from '../domain/change.ts';\nimport { codecFor } from '../proto/codec.ts';"), []);
    assert.deepEqual(problems('src/ocpp/x.ts', "import { authorize } from '../domain/authorization.ts';"), []);
    assert.deepEqual(problems('chain/x.ts', "import { ConsumerClient } from '../src/consumer/client.ts';"), []);
    assert.deepEqual(problems('gateway/x.ts', "import { ChainClient } from '../chain/client.ts';"), []);
    assert.deepEqual(problems('scripts/x.ts', "import { startDevChain } from '../test/helpers/dev-chain.ts';"), []);
  });
});
