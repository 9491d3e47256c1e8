import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PasswordCheck } from '../../../src/ocpp/core/password-check.ts';
import { hashPassword, hashesForConfiguredPassword, isPasswordHash, parseBasicAuth, verifyPasswordAsync } from '../../../src/ocpp/core/passwords.ts';

describe('station passwords', () => {
  it('stores a salted hash and compares bytes exactly', async () => {
    const pw = Buffer.from([0x00, 0xff, 0x3a, 0x10, 0x80, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b]);
    const a = hashPassword(pw);
    assert.ok(isPasswordHash(a));
    assert.notEqual(a, hashPassword(pw), 'salted: the same password hashes differently');
    assert.ok(await verifyPasswordAsync(pw, a));
    const other = Buffer.from(pw);
    other[15] = 0x4c;
    assert.ok(!(await verifyPasswordAsync(other, a)));
  });

  it('accepts a configured hex key as text and as bytes; a plain or hashed password as itself', async () => {
    const hex = 'a1b2c3d4e5f60718293a4b5c6d7e8f9001020304';
    const hashes = hashesForConfiguredPassword(hex);
    assert.equal(hashes.length, 2);
    assert.ok((await Promise.all(hashes.map((h) => verifyPasswordAsync(Buffer.from(hex), h)))).some(Boolean));
    assert.ok((await Promise.all(hashes.map((h) => verifyPasswordAsync(Buffer.from(hex, 'hex'), h)))).some(Boolean));
    assert.equal(hashesForConfiguredPassword('not hex at all!').length, 1);
    const stored = hashPassword(Buffer.from('secret'));
    assert.deepEqual(hashesForConfiguredPassword(stored), [stored]);
  });

  it('reads binary basic-auth passwords, splitting at the first colon only', () => {
    const password = Buffer.from([0x3a, 0x00, 0xfe, 0x3a]);
    const header = 'Basic ' + Buffer.concat([Buffer.from('CP-1:'), password]).toString('base64');
    const parsed = parseBasicAuth(header);
    assert.equal(parsed?.user, 'CP-1');
    assert.deepEqual(parsed?.password, password);
    assert.equal(parseBasicAuth('Bearer abc'), undefined);
    assert.equal(parseBasicAuth('Basic ' + Buffer.from('nocolon').toString('base64')), undefined);
  });

  it('checks a password off the event loop: other stations\' messages are handled meanwhile (seen: scryptSync on every upgrade)', async () => {
    const check = new PasswordCheck();
    const hashes = [hashPassword(Buffer.from('the-right-password'))];
    let turns = 0;
    let done = false;
    const count = (): void => { if (!done) { turns++; setImmediate(count); } };
    setImmediate(count);
    const outcome = await check.check({ identity: 'CP-1', address: '10.0.0.9', password: Buffer.from('a-wrong-password'), hashes });
    done = true;
    assert.equal(outcome, 'wrong');
    assert.ok(turns > 0, 'the event loop turned while the hash was computed');
  });
});
