// Settlement end to end with real processes: the gateway (CLI) with a chain outage and a kill -9
// between its approval and the consumer's, and the consumer's scripts (approve, settle-status).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady, encodeAddress } from '@polkadot/util-crypto';
import { ChainClient } from '../../chain/client.ts';
import { startDevChain, type DevChain } from '../helpers/dev-chain.ts';
import { ConsumerClient, type GatewayEvent } from '../../src/consumer/client.ts';
import { pairSigner } from '../../src/consumer/signer.ts';
import { loadOrCreateGatewayKey } from '../../src/crypto/gateway-key.ts';
import { Charger } from '../helpers/charger.ts';
import { tempDir } from '../helpers/gateway.ts';
import { runCli } from '../helpers/cli.ts';
import { spawnGateway, type GatewayProcess } from '../helpers/process.ts';
import { TcpProxy } from '../helpers/tcp-proxy.ts';
import { CHAIN_WAIT_MS, eventually } from '../helpers/wait.ts';

const PEAQ = 10n ** 18n;
const script = (name: string) => fileURLToPath(new URL(`../../chain/scripts/${name}.ts`, import.meta.url));
// Asynchronous on purpose: the chain runs in this process and must keep answering meanwhile.
const runScript = async (name: string, ...args: string[]): Promise<any> => {
  const { code, out, err } = await runScriptRaw(name, ...args);
  assert.equal(code, 0, `${name} failed:\n${err}`);
  return JSON.parse(out.slice(out.indexOf('{')));
};
const runScriptRaw = async (name: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> => {
  const child = spawn(process.execPath, [script(name), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
  const [code] = (await once(child, 'exit')) as [number];
  return { code, out, err };
};

describe('settlement with the scripts, a chain outage and a gateway crash', () => {
  const dataDir = tempDir('cgw-settle-e2e-');
  let chain: DevChain;
  let proxy: TcpProxy;
  let gateway: GatewayProcess;
  let charger: Charger;
  let env: Record<string, string>;
  let gatewayAddress: string;
  before(async () => {
    await cryptoWaitReady();
    const { key } = await loadOrCreateGatewayKey(join(dataDir, 'gateway.key'));
    gatewayAddress = encodeAddress(key.publicKey, 42);
    const alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice');
    const bob = new Keyring({ type: 'sr25519' }).addFromUri('//Bob');
    chain = await startDevChain({ endowed: { [alice.address]: 100n * PEAQ, [bob.address]: 100n * PEAQ, [gatewayAddress]: 10n * PEAQ } });
    const { port } = new URL(chain.endpoint);
    proxy = await TcpProxy.start({ host: '127.0.0.1', port: Number(port) });
    env = { CGW_DATA_DIR: dataDir, CGW_CHAIN_ENDPOINT: `ws://127.0.0.1:${proxy.port}`, CGW_CHAIN_MINIMUM_DEPOSIT: String(PEAQ) };
    gateway = await spawnGateway(env);
    charger = await Charger.connect(gateway.ocppUrl, 'SCRIPT-CP', 'ocpp2.0.1');
    await charger.status(1, 'Available');
  });
  after(async () => {
    await charger?.close();
    await gateway?.kill('SIGTERM');
    await proxy?.down();
    await chain?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('settles after the chain comes back, survives a crash before the consumer approves, and the scripts finish the job', async () => {
    // Amounts as a person writes them; the key as a SURI; the gateway by its libp2p address.
    const funded = await runScript('fund-deposit', '--endpoint', chain.endpoint, '--consumer', '//Alice', '--gateway', gateway.p2p[0]!, '--amount', '4 PEAQ');
    assert.deepEqual(funded.balance, { text: '4 PEAQ', units: String(4n * PEAQ) });
    const bad = await runScriptRaw('fund-deposit', '--endpoint', chain.endpoint, '--consumer', 'not a key at all', '--gateway', gatewayAddress, '--amount', '1');
    assert.equal(bad.code, 1);
    assert.match(bad.err, /^error: not a key: give a SURI/m);
    assert.doesNotMatch(bad.err, /\n\s+at /, 'one line, no stack trace');

    const alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice');
    const client = await ConsumerClient.connect({ gateway: gateway.p2p[0]!, signer: pairSigner(alice) });
    const events: GatewayEvent[] = [];
    await client.follow(client.topic, (e) => events.push(e));
    await eventually(async () => client.authorize('SCRIPT-CP', { budget: 2n * PEAQ }).catch(() => undefined), CHAIN_WAIT_MS, 'the gateway never reached the chain');
    await client.start('SCRIPT-CP', 1);
    await charger.meterValues(1, 2_000);

    // The chain goes away before the session ends: charging and stopping still work.
    await proxy.down();
    const receipt = await client.stop('SCRIPT-CP', 1);
    assert.equal(receipt.totalAmount, String(PEAQ));
    // The operator sees the outage and the session waiting for it; nothing settled meanwhile.
    await eventually(async () => {
      const metrics = await (await fetch(`${gateway.admin}/metrics`)).text();
      return /^cgw_chain_connected 0$/m.test(metrics) && /^cgw_settlement_backlog 1$/m.test(metrics);
    }, 30_000, 'the node did not notice the chain was away, or the session is not in the backlog');
    assert.equal((await fetch(`${gateway.admin}/readyz`)).status, 503);
    assert.ok(!events.some((e) => e.event.eventId === 'SERVICE_DELIVERED'), 'nothing settles while the chain is away');

    await proxy.up();
    await eventually(() => events.some((e) => e.event.eventId === 'SERVICE_DELIVERED'), CHAIN_WAIT_MS, 'no SERVICE_DELIVERED after the chain came back');
    await client.close();

    // Crash between the gateway's approval and the consumer's: the payouts wait on chain.
    await gateway.kill('SIGKILL');
    const pending = await runScript('settle-status', '--endpoint', chain.endpoint, '--consumer', alice.address, '--gateway', gatewayAddress);
    assert.equal(pending.openPayouts.length, 2);
    gateway = await spawnGateway(env);
    // The restarted node has reached the chain and gone through its payouts twice (seen: a
    // fixed sleep that could end before it was connected).
    await eventually(async () => Number(/^cgw_settlement_rounds_total (\d+)$/m.exec(await (await fetch(`${gateway.admin}/metrics`)).text())?.[1] ?? 0) >= 2, CHAIN_WAIT_MS, 'the restarted gateway never settled on chain');
    assert.equal((await runScript('settle-status', '--endpoint', chain.endpoint, '--consumer', '//Alice', '--gateway', gateway.p2p[0]!)).openPayouts.length, 2, 'the restarted gateway approved nothing twice');

    const approved = await runScript('approve', '--endpoint', chain.endpoint, '--consumer', '//Alice', '--gateway', gateway.p2p[0]!);
    assert.deepEqual(approved.payouts.map((p: any) => [p.kind, p.amount.units, p.outcome]), [['spent', String(PEAQ), 'executed'], ['refund', String(PEAQ), 'executed']]);
    const done = await runScript('settle-status', '--endpoint', chain.endpoint, '--consumer', alice.address, '--gateway', gatewayAddress);
    assert.equal(done.free.units, String(2n * PEAQ), 'what no session reserved stays in the deposit');
    assert.deepEqual(done.openPayouts, []);

    // approve run again (seen: a stack trace, exit 1 and a fee): nothing to approve, nothing spent.
    const balance = async () => {
      const c = await ChainClient.connect(chain.endpoint);
      try {
        return await c.freeBalance(alice.address);
      } finally {
        await c.disconnect();
      }
    };
    const before = await balance();
    const again = await runScript('approve', '--endpoint', chain.endpoint, '--consumer', '//Alice', '--gateway', gateway.p2p[0]!);
    assert.equal(again.message, 'nothing to approve: every payout has been executed');
    assert.deepEqual(again.payouts.map((p: any) => p.outcome), ['closed', 'closed']);
    assert.equal(await balance(), before, 'no fee spent');
  });

  it('lets a consumer do every step from the consumer CLI: fund, charge within a budget, see the deposit, approve (the README\'s chain walkthrough)', async () => {
    const station = await Charger.connect(gateway.ocppUrl, 'CLI-CHAIN-CP', 'ocpp2.0.1');
    await station.status(1, 'Available');
    const wallet = ['--gateway', gateway.p2p[0]!, '--seed', '//Bob', '--chain', chain.endpoint];
    // Not spawnSync: the station that answers the gateway runs in this process.
    const consumer = async (...args: string[]): Promise<any> => {
      const r = await runCli({}, 'consumer', ...args, ...wallet);
      assert.equal(r.status, 0, r.output);
      return JSON.parse(r.stdout);
    };
    try {
      const funded = await consumer('fund', '2 PEAQ');
      assert.deepEqual([funded.deposited.text, funded.balance.units], ['2 PEAQ', String(2n * PEAQ)]);
      await eventually(async () => (await runCli({}, 'consumer', 'authorize', 'CLI-CHAIN-CP', '--budget', '1 PEAQ', ...wallet)).status === 0, CHAIN_WAIT_MS, 'the gateway never reached the chain');
      await consumer('start', 'CLI-CHAIN-CP', '1');
      await station.meterValues(1, 1_000);
      const { receipt } = await consumer('stop', 'CLI-CHAIN-CP', '1');
      assert.deepEqual([receipt.budget.text, receipt.spent.text, receipt.refund.text, receipt.refund.units], ['1 PEAQ', '0.5 PEAQ', '0.5 PEAQ', String(PEAQ / 2n)]);
      const deposit = await eventually(async () => {
        const d = await consumer('deposit');
        return d.openPayouts.length === 2 ? d : undefined;
      }, CHAIN_WAIT_MS, 'the payouts never appeared on chain');
      assert.deepEqual(deposit.openPayouts.map((p: any) => [p.kind, p.amount.text, p.payee]).sort(), [['refund', '0.5 PEAQ', 'you'], ['spent', '0.5 PEAQ', 'the gateway']]);
      assert.equal(deposit.promised.text, '1 PEAQ');
      const approved = await consumer('approve');
      assert.deepEqual(approved.payouts.map((p: any) => p.outcome), ['executed', 'executed']);
      assert.equal((await consumer('approve')).message, 'nothing to approve: every payout has been executed');
      const after = await consumer('deposit');
      assert.deepEqual([after.free.text, after.openPayouts.length], ['1 PEAQ', 0], 'what the budget did not take stays in the deposit');
    } finally {
      await station.close();
    }
  });
});
