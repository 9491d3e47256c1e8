// Regenerates the OCPP message types (src/ocpp/v16/schema-types.ts, src/ocpp/v201/schema-types.ts)
// from the official schemas in ocpp-rpc. A unit test fails when the files are stale.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { OCPP_TYPE_FILES } from '../src/ocpp/core/schema-type-files.ts';

for (const file of OCPP_TYPE_FILES) {
  const target = fileURLToPath(new URL(`../${file.path}`, import.meta.url));
  writeFileSync(target, file.generate());
  console.log(`wrote ${target}`);
}
