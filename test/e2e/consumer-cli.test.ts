// The consumer CLI as a wallet in a terminal: three processes (gateway, consumer CLI, this test
// with the charge point), talking OCPP and libp2p.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Keyring } from '@polkadot/keyring';
import { runCli } from '../helpers/cli.ts';
import { freePort } from '../helpers/net.ts';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { Charger } from '../helpers/charger.ts';
import { tempDir } from '../helpers/gateway.ts';
import { spawnGateway, type GatewayProcess } from '../helpers/process.ts';
import { inTerminal } from '../helpers/terminal.ts';
import { eventually } from '../helpers/wait.ts';

const CLI = fileURLToPath(new URL('../../gateway/cli.ts', import.meta.url));
const lastJson = (text: string): any => {
  try {
    return JSON.parse(text.slice(text.lastIndexOf('\n{') + 1));
  } catch {
    throw new Error(`no JSON at the end of:\n${text}`);
  }
};

describe('charging-gateway consumer (CLI)', () => {
  const dataDir = tempDir('cgw-cli-');
  let gateway: GatewayProcess;
  let charger: Charger;
  let seed: string;
  before(async () => {
    await cryptoWaitReady();
    gateway = await spawnGateway({ CGW_DATA_DIR: dataDir });
    charger = await Charger.connect(gateway.ocppUrl, 'CLI-CP', 'ocpp2.0.1');
    await charger.status(1, 'Available');
    const keygen = spawnSync(process.execPath, [CLI, 'consumer', 'keygen'], { encoding: 'utf8' });
    seed = JSON.parse(keygen.stdout).seed;
  });
  after(async () => {
    await charger?.close();
    await gateway?.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, 'consumer', ...args, '--gateway', gateway.p2p[0]!, '--seed', seed], { encoding: 'utf8', timeout: 30_000 });

  it('answers availability and refuses clearly', () => {
    const ok = run('availability', 'CLI-CP', '1');
    assert.equal(ok.status, 0, ok.stderr);
    assert.deepEqual(JSON.parse(ok.stdout), { available: true, reason: 'available' });
    const refused = run('start', 'CLI-CP', '1');
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /authorize on CLI-CP before starting/);
    const badKey = spawnSync(process.execPath, [CLI, 'consumer', 'status', 'CLI-CP', '--gateway', gateway.p2p[0]!, '--seed', '12'], { encoding: 'utf8' });
    assert.equal(badKey.status, 1);
    assert.match(badKey.stderr, /a hex seed must be 32 bytes \(64 hex digits\); this one has 2 digits/);
    // A typo in a mnemonic must not become another key (and another deposit).
    const typo = spawnSync(process.execPath, [CLI, 'consumer', 'status', 'CLI-CP', '--gateway', gateway.p2p[0]!, '--seed', 'bottom drive obey lake curtain smoke basket hold race lonely fit wa1k'], { encoding: 'utf8' });
    assert.equal(typo.status, 1);
    assert.match(typo.stderr, /not a key: give a SURI \(\/\/Alice\), a valid mnemonic/);
  });

  it('gives up on a chain that does not answer, after its limit (30 s, or --chain-timeout), with one line that says so', async () => {
    const endpoint = `ws://127.0.0.1:${await freePort()}`;
    const r = await runCli({}, 'consumer', 'deposit', '--gateway', gateway.p2p[0]!, '--seed', '//Alice', '--chain', endpoint, '--chain-timeout', '2');
    assert.equal(r.status, 1);
    assert.match(r.output, new RegExp(`no chain answered at ${endpoint} within 2 s`));
    assert.doesNotMatch(r.output, /\n\s+at /, 'no stack trace');
  });

  it('takes a SURI and a valid mnemonic as keys, derived as every Substrate wallet derives them', async () => {
    const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
    // A station of its own: the authorizations stay there, away from the other cases.
    const station = await Charger.connect(gateway.ocppUrl, 'CLI-KEYS', 'ocpp2.0.1');
    await station.status(1, 'Available');
    try {
      for (const secret of ['//Alice', 'bottom drive obey lake curtain smoke basket hold race lonely fit walk']) {
        // Not spawnSync: the station answering the local-list update runs in this process.
        const r = await runCli({}, 'consumer', 'authorize', 'CLI-KEYS', '--gateway', gateway.p2p[0]!, '--seed', secret);
        assert.equal(r.status, 0, r.output);
        assert.equal(JSON.parse(r.output).address, keyring.addFromUri(secret).address);
      }
    } finally {
      await station.close();
    }
  });

  it('charges with a live progress display; Ctrl-C stops and prints the verified receipt', async () => {
    const child = spawn(process.execPath, [CLI, 'consumer', 'charge', 'CLI-CP', '1', '--gateway', gateway.p2p[0]!, '--seed', seed], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { out += c.toString(); });
    const exited = once(child, 'exit');
    await eventually(() => out.includes('press Ctrl-C'), 20_000, `never started:\n${out}`);
    await charger.meterValues(1, 1_500);
    await eventually(() => out.includes('charging: 1.500 kWh'), 10_000, `no progress line:\n${out}`);
    child.kill('SIGINT');
    const [code] = (await exited) as [number];
    assert.equal(code, 0, out);
    const { receipt, verified } = lastJson(out);
    assert.equal(verified, true);
    assert.equal(receipt.energyWh, 1_500);
    assert.equal(receipt.station, 'CLI-CP');
    assert.deepEqual(receipt.energyAmount, { text: '0.75 PEAQ', units: '750000000000000000' }, 'amounts for people and for scripts');
    assert.equal(receipt.budget, undefined, 'no chain, no budget');
    assert.equal(charger.open.size, 0);
  });

  // In a real terminal: the CLI as a user runs it, Ctrl-C typed.
  const charge = (key: string) => inTerminal([process.execPath, CLI, 'consumer', 'charge', 'CLI-CP', '1', '--gateway', gateway.p2p[0]!, '--seed', key]);
  const sessionState = async () => {
    const token = (await import('node:fs')).readFileSync(`${dataDir}/admin.token`, 'utf8').trim();
    const state = await (await fetch(`${gateway.admin}/api/stations/CLI-CP`, { headers: { Authorization: `Bearer ${token}` } })).json() as any;
    return { sessions: Object.keys(state.sessions).length, transactions: Object.keys(state.transactions).length };
  };

  it('follows its own session only: a second charge with the same key is not ended by the first one\'s receipt (seen: printed it and exited at once)', async () => {
    const first = charge(seed);
    await eventually(() => first.output().includes('press Ctrl-C'), 20_000, `never started:\n${first.output()}`);
    await first.ctrlC();
    assert.equal(await first.exited, 0, `exit code; the output ends with:\n${first.output().slice(-1_500)}`);
    const firstReceipt = lastJson(first.output().replace(/\r/g, '')).receipt;
    const second = charge(seed);
    await eventually(() => second.output().includes('press Ctrl-C'), 20_000, `never started:\n${second.output()}`);
    // It follows this session on: its progress shows (seen: it exited at once with the first one's
    // receipt). A progress event can go out before gossip knows the CLI's subscription: then the
    // next one shows both (the CLI fetches what it missed).
    let sent = 0;
    await eventually(async () => {
      if (/charging: \d/.test(second.output())) return true;
      await charger.meterValues(1, 350);
      sent += 350;
      await new Promise((r) => setTimeout(r, 1_000));
      return /charging: \d/.test(second.output());
    }, 20_000, `no progress of its own session:\n${second.output()}`);
    assert.equal(second.child.exitCode, null, 'still charging');
    await second.ctrlC();
    assert.equal(await second.exited, 0, `exit code; the output ends with:\n${second.output().slice(-1_500)}`);
    const secondReceipt = lastJson(second.output().replace(/\r/g, '')).receipt;
    assert.notEqual(secondReceipt.session, firstReceipt.session, 'its own receipt');
    assert.equal(secondReceipt.energyWh, sent);
  });

  // Ctrl-C at each step the CLI reaches (seen: the CLI died and the session had started).
  for (const [step, marker] of [['before it asked anything', undefined], ['once authorized', /authorized as/], ['once the transaction started', /transaction \d+ started/]] as const) {
    it(`Ctrl-C ${step} ends in a stopped session with its receipt, or in no session`, async () => {
      const key = JSON.parse(spawnSync(process.execPath, [CLI, 'consumer', 'keygen'], { encoding: 'utf8' }).stdout).seed;
      const t = charge(key);
      if (marker) await eventually(() => marker.test(t.output()), 30_000, `never reached "${step}"`);
      await t.ctrlC();
      const code = await Promise.race([t.exited, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still running 60 s after Ctrl-C; the output ends with:\n${t.output().slice(-1_500)}`)), 60_000).unref())]);
      if (!marker && code === 130) {
        // Still loading its modules: it stopped as any program does, before asking anything.
        assert.doesNotMatch(t.output(), /authorized as/, t.output());
      } else {
        assert.equal(code, 0, `exit code; the output ends with:\n${t.output().slice(-1_500)}`);
        const result = lastJson(t.output().replace(/\r/g, ''));
        assert.ok(result.cancelled === true || result.receipt?.session, t.output());
      }
      await eventually(async () => {
        const s = await sessionState();
        return s.sessions === 0 && s.transactions === 0;
      }, 10_000, 'a session or transaction was left behind');
    });
  }
});
