import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../../gateway/config/load.ts';
import { tempDir } from '../../helpers/gateway.ts';

const CLI = fileURLToPath(new URL('../../../gateway/cli.ts', import.meta.url));

describe('configuration', () => {
  it('has working embedded defaults', () => {
    const c = loadConfig({ env: {} });
    assert.equal(c.ocpp.port, 9000);
    assert.equal(c.ocpp.path, '/ocpp');
    assert.equal(c.stations.registration, 'open');
    assert.deepEqual(c.stations.defaults.versions, ['ocpp1.6', 'ocpp2.0.1']);
    assert.equal(c.dataDir, './data');
    assert.equal(c.storage.writeBufferMb, 32);
  });

  it('layers a file over the defaults and environment variables over the file', () => {
    const dir = tempDir();
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ ocpp: { port: 9100, heartbeatIntervalSec: 60 }, stations: { registration: 'closed', list: [{ identity: 'CP1', securityProfile: 1, password: 'pw-1234567890123' }] } }));
    try {
      const c = loadConfig({ file, env: { CGW_OCPP_PORT: '9200', CGW_OCPP_ACCEPT_UNKNOWN_ID_TAGS: 'true' } });
      assert.equal(c.ocpp.port, 9200);
      assert.equal(c.ocpp.heartbeatIntervalSec, 60);
      assert.equal(c.ocpp.acceptUnknownIdTags, true);
      assert.equal(c.ocpp.callTimeoutSec, 30);
      assert.equal(c.stations.list[0]?.identity, 'CP1');
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('names the bad key and value', () => {
    const bad = (env: Record<string, string>, pattern: RegExp) =>
      assert.throws(() => loadConfig({ env }), (err: unknown) => err instanceof ConfigError && pattern.test(err.message));
    bad({ CGW_OCPP_PORT: '70000' }, /ocpp\.port must be <= 65535 \(got 70000\)/);
    bad({ CGW_OCPP_PORT: 'nine' }, /CGW_OCPP_PORT: expected a number, got "nine"/);
    bad({ CGW_STORAGE_WRITE_BUFFER_MB: '0' }, /storage\.writeBufferMb must be >= 1 \(got 0\)/);
    bad({ CGW_LOG_LEVEL: 'loud' }, /log\.level must be equal to one of the allowed values \(got "loud"\)/);
    bad({ CGW_STATIONS_LIST: '[{"identity":"A","securityProfile":1}]' }, /station A uses security profile 1 and needs a password/);
    bad({ CGW_STATIONS_LIST: '[{"identity":"A","securityProfile":2,"password":"x"}]' }, /needs ocpp\.tls\.enabled/);
    bad({ CGW_STATIONS_LIST: '[{"identity":"A:B","securityProfile":0}]' }, /stations\.list\.0\.identity must match pattern/);
  });

  it('names a bad secret\'s key but never shows its value (seen: a short admin token printed in the error)', () => {
    const short = [{ name: 'anna', token: 'short-secret', role: 'operator' }];
    assert.throws(() => loadConfig({ env: { CGW_ADMIN_TOKENS: JSON.stringify(short) } }), (err: Error) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /admin\.tokens\.0\.token must NOT have fewer than 16 characters/);
      assert.doesNotMatch(err.message, /short-secret/);
      return true;
    });
    assert.throws(() => loadConfig({ env: { CGW_ADMIN_TOKENS: '[{"name":"anna","token":"a-secret-token-that-is-long' } }), (err: Error) => {
      assert.match(err.message, /CGW_ADMIN_TOKENS: expected JSON/);
      assert.doesNotMatch(err.message, /a-secret-token/);
      return true;
    });
  });

  it('refuses unknown keys in a file', () => {
    const dir = tempDir();
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ ocpp: { prot: 1 } }));
    try {
      assert.throws(() => loadConfig({ file, env: {} }), /unknown key ocpp\.prot/);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('the CLI exits 2 with a one-line message and no stack trace', () => {
    const r = spawnSync(process.execPath, [CLI, 'start'], { env: { ...process.env, CGW_OCPP_PATH: 'ocpp' }, encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.equal(r.stderr.trim(), 'charging-gateway: invalid configuration: ocpp.path must match pattern "^/" (got "ocpp")');
    const v = spawnSync(process.execPath, [CLI, '--version'], { encoding: 'utf8' });
    assert.match(v.stdout, /^\d+\.\d+\.\d+/);
  });
});
