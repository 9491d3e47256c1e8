// Regenerates src/proto/types.ts from proto/. A unit test fails when the file is stale.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadProtoRoot } from '../src/proto/schema.ts';
import { generateTypes } from '../src/proto/typegen.ts';

const target = fileURLToPath(new URL('../src/proto/types.ts', import.meta.url));
writeFileSync(target, generateTypes(loadProtoRoot()));
console.log(`wrote ${target}`);
