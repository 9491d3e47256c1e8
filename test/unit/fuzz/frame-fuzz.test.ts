// Property-based: whatever bytes arrive, the frame decoder and the validator answer with a
// decision (a frame, a FrameError, a list of issues), never with a crash.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FrameError, decodeFrame } from '../../../src/ocpp/core/frame.ts';
import { schemasFor } from '../../../src/ocpp/core/schemas.ts';
import { judge } from '../../../src/ocpp/core/validation-policy.ts';
import type { OcppVersion } from '../../../src/ocpp/core/version.ts';

const json = fc.jsonValue({ maxDepth: 4 });
const frameish = fc.oneof(
  fc.string(),
  json.map((v) => JSON.stringify(v)),
  fc.tuple(fc.oneof(fc.constantFrom(2, 3, 4, 5, -1), json), fc.oneof(fc.string({ maxLength: 40 }), json), json, json).map((t) => JSON.stringify(t)),
);

describe('fuzzing the frame decoder and the validator', () => {
  it('decodeFrame only ever returns a frame or throws a FrameError', () => {
    fc.assert(fc.property(frameish, (text) => {
      try {
        const frame = decodeFrame(text);
        assert.ok(['unknown', 2, 3, 4].includes(frame.type as never));
      } catch (err) {
        assert.ok(err instanceof FrameError, `unexpected ${String(err)}`);
      }
    }), { numRuns: 3000 });
  });

  it('validation of any payload for any action returns issues the policy can judge', () => {
    const actions: [OcppVersion, string][] = (['ocpp1.6', 'ocpp2.0.1'] as const).flatMap((v) => [...schemasFor(v).actions].map((a): [OcppVersion, string] => [v, a]));
    fc.assert(fc.property(fc.constantFrom(...actions), json, fc.constantFrom('strict', 'lenient' as const), ([version, action], payload, policy) => {
      const issues = schemasFor(version).validate(action, 'req', payload);
      const verdict = judge(policy, issues);
      assert.equal(verdict.refused.length + verdict.tolerated.length <= issues.length, true);
    }), { numRuns: 2000 });
  });
});
