import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { OCPP_TYPE_FILES } from '../../../src/ocpp/core/schema-type-files.ts';
import { loadSchemas } from '../../../src/ocpp/core/schemas.ts';
import { generateOcppTypes } from '../../../src/ocpp/core/schema-typegen.ts';

describe('OCPP message types generated from the official schemas', () => {
  for (const file of OCPP_TYPE_FILES) {
    it(`${file.path} is generated from the current schemas (run \`npm run gen:ocpp\`)`, () => {
      const committed = readFileSync(fileURLToPath(new URL(`../../../${file.path}`, import.meta.url)), 'utf8');
      assert.equal(committed, file.generate());
    });
  }

  it('types an informational enumeration (which a lenient station may break) as a string, and the rest as their values', () => {
    const text = generateOcppTypes(loadSchemas('ocpp1.6'), 'Actions16', 'test');
    const meterValues = text.slice(text.indexOf('export interface MeterValuesRequest'));
    assert.match(meterValues, /measurand\?: string;/);
    assert.match(text, /export interface ResetRequest \{\n {2}type: "Hard" \| "Soft";\n\}/);
    assert.match(text, /export type HeartbeatRequest = Record<string, never>;/);
    assert.match(text, / {2}Heartbeat: \{ req: HeartbeatRequest; conf: HeartbeatResponse \};/);
  });

  it('refuses two different definitions under one name (a type would silently take one of them)', () => {
    const schema = (id: string, values: string[]) => ({
      $id: `urn:${id}.req`, type: 'object', additionalProperties: false,
      definitions: { StatusEnumType: { type: 'string', enum: values } },
      properties: { status: { $ref: '#/definitions/StatusEnumType' } },
    });
    assert.throws(() => generateOcppTypes([schema('A', ['On']), schema('B', ['Off'])], 'M', 'test'), /StatusEnumType differs/);
  });
});
