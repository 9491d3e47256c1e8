// Deposits on a REAL local Substrate chain (chopsticks on the Asset Hub genesis from npm).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady, encodeAddress } from '@polkadot/util-crypto';
import { ChainClient } from '../../chain/client.ts';
import { fundDeposit } from '../../chain/deposit.ts';
import { startDevChain, type DevChain } from '../helpers/dev-chain.ts';
import { gatewayAccount } from '../../chain/gateway-account.ts';
import { loadOrCreateGatewayKey, type GatewayKey } from '../../src/crypto/gateway-key.ts';
import { Charger } from '../helpers/charger.ts';
import { startTestGateway, tempDir, type TestGateway } from '../helpers/gateway.ts';
import { freePort } from '../helpers/net.ts';
import { CHAIN_WAIT_MS, eventually } from '../helpers/wait.ts';

const PEAQ = 10n ** 18n;


describe('deposits on a real local chain', () => {
  let chain: DevChain | undefined;
  let gw: TestGateway;
  let key: GatewayKey;
  let charger: Charger;
  let port: number;
  const keyring = new Keyring({ type: 'sr25519' });
  let rich: ReturnType<Keyring['addFromSeed']>;
  let poor: ReturnType<Keyring['addFromSeed']>;

  before(async () => {
    await cryptoWaitReady();
    rich = keyring.addFromSeed(randomBytes(32));
    poor = keyring.addFromSeed(randomBytes(32));
    port = await freePort();
    const dataDir = tempDir('cgw-chain-');
    key = (await loadOrCreateGatewayKey(join(dataDir, 'gateway.key'))).key;
    // The chain is down when the gateway starts: it must start anyway and keep retrying.
    gw = await startTestGateway({ chain: { endpoint: `ws://127.0.0.1:${port}`, minimumDeposit: String(2n * PEAQ) } }, dataDir);
    charger = await Charger.connect(gw.url, 'CHAIN-CP', 'ocpp1.6');
    await charger.status(1, 'Available');
  });
  after(async () => {
    await charger?.close();
    await gw?.cleanup();
    await chain?.close();
  });

  it('refuses authorization clearly while the chain is down, and recovers when it comes up', async () => {
    await assert.rejects(gw.bridge.authorize({ station: 'CHAIN-CP', consumerKey: rich.address }), (err: any) => err.code === 'ChainUnavailable');
    chain = await startDevChain({ port, endowed: { [rich.address]: 100n * PEAQ, [poor.address]: 100n * PEAQ } });
    await eventually(() => gw.chain?.client()?.isConnected, CHAIN_WAIT_MS, 'the gateway never connected to the chain');
  });

  it('reads what the runtime offers from its metadata', () => {
    const shape = gw.chain!.client()!.shape;
    assert.deepEqual(shape.multisig, { pallet: 'multisig', storeCall: true, weight: 'u64' }, 'this Asset Hub runtime still has store_call and u64 weights');
    assert.deepEqual([shape.decimals, shape.symbol], [18, 'PEAQ'], 'the dev chain shows peaq\'s units');
    assert.equal(shape.transfer, 'transferKeepAlive');
    assert.equal(shape.payoutTransfer, 'transfer', 'no transferAllowDeath yet on this runtime');
    assert.equal(shape.transactionPallet, false);
    assert.equal(shape.remarkWithEvent, true);
    assert.equal(shape.batchAll, true);
    assert.ok(shape.existentialDeposit > 0n, 'the existential deposit is read from the chain');
  });

  it('refuses a consumer without a deposit, naming the amounts, and authorizes once the multisig holds enough', async () => {
    await assert.rejects(gw.bridge.authorize({ station: 'CHAIN-CP', consumerKey: poor.address }), (err: any) => {
      assert.equal(err.code, 'InsufficientDeposit');
      assert.match(err.message, /does not cover a budget of 2 PEAQ: the multisig \w+ holds 0 PEAQ at block \d+; 0 PEAQ is promised .* 0 PEAQ is available/, 'the figures, in the chain\'s decimals and symbol');
      return true;
    });
    const client = await ChainClient.connect(chain!.endpoint);
    try {
      const { multisig } = await fundDeposit(client, rich, key.publicKey, 3n * PEAQ);
      assert.equal(await client.freeBalance(multisig), 3n * PEAQ);
      const session = await gw.bridge.authorize({ station: 'CHAIN-CP', consumerKey: rich.address });
      assert.equal(session.state, 'authorized');
      assert.ok(charger.list.has(session.idTag));
      assert.equal(charger.list.size, 1, 'the refused consumer never reached the charger');
    } finally {
      await client.disconnect();
    }
  });

  it('uses the gateway key as its chain account', async () => {
    const account = await gatewayAccount(key.libp2pKey.raw.subarray(0, 32));
    assert.equal(account.address, encodeAddress(key.publicKey, 42));
    assert.equal(account.type, 'ed25519');
  });
});
