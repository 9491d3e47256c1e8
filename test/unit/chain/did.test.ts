import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import nacl from 'tweetnacl';
import { createRequire } from 'node:module';
import { blake2AsU8a, decodeAddress, encodeAddress } from '@polkadot/util-crypto';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import type { ChainClient } from '../../../chain/client.ts';
import { DID_ATTRIBUTE, attributeKey, buildDidDocument, decodeDidValue, encodeDidValue, p2pEndpoint, p2pServiceOf, publishDidDocument, readDidDocument, stationsOf } from '../../../chain/did.ts';
import { codecFor } from '../../../src/proto/codec.ts';

describe('the gateway DID document (peaq format)', () => {
  const keys = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(4));
  const input = {
    publicKey: keys.publicKey, address: '5Gateway', payment: '5Gateway', name: 'Depot A', pricePerKwh: 0.5,
    p2p: '/ip4/192.0.2.10/tcp/10333/p2p/12D3KooWAbc', stations: [{ identity: 'CP01', connectors: 2, available: true }],
    sign: (m: Uint8Array) => nacl.sign.detached(m, keys.secretKey),
  };

  it('carries the key, the p2p endpoint, the payment address and the stations, and survives the hex attribute value', () => {
    const doc = buildDidDocument(input);
    const back = decodeDidValue(encodeDidValue(doc));
    assert.equal(back.id, 'did:peaq:5Gateway');
    assert.equal(back.verificationMethods[0]?.id, Buffer.from(keys.publicKey).toString('hex'));
    assert.equal(back.verificationMethods[0]?.type, 'Ed25519VerificationKey2020');
    assert.match(back.verificationMethods[0]!.publicKeyMultibase, /^z/);
    assert.deepEqual(back.services.map((s) => s.type), ['p2p', 'payment', 'metadata']);
    assert.equal(back.services[0]?.serviceEndpoint, input.p2p);
    assert.deepEqual(stationsOf(back).map((m) => [m.chargePointClientId, m.connectorsCount, m.status]), [['CP01', 2, 'AVAILABLE']]);
    assert.match(encodeDidValue(doc), /^[0-9a-f]+$/, 'ASCII hex of the protobuf bytes');
    assert.equal(p2pServiceOf(back), input.p2p, 'a wallet finds where to dial');
  });

  it('decodes with peaq\'s own document codec (peaq-did-proto-js, what peaq\'s SDK reads documents with)', () => {
    // Seen before: `type` went out as a protobuf enum where peaq's codec reads a string.
    const peaq = createRequire(import.meta.url)('peaq-did-proto-js') as any;
    const doc = peaq.Document.deserializeBinary(Buffer.from(encodeDidValue(buildDidDocument(input)), 'hex'));
    assert.equal(doc.getId(), 'did:peaq:5Gateway');
    const [vm] = doc.getVerificationMethods();
    assert.equal(vm.getId(), Buffer.from(keys.publicKey).toString('hex'));
    assert.equal(vm.getType(), 'Ed25519VerificationKey2020');
    assert.equal(doc.getSignature().getType(), 'Ed25519VerificationKey2020');
    const services = doc.getServices().map((s: any) => [s.getType(), s.getServiceEndpoint()]);
    assert.deepEqual(services.slice(0, 2), [['p2p', input.p2p], ['payment', '5Gateway']]);
    assert.equal(services[2][0], 'metadata');
    assert.deepEqual(doc.getAuthentications(), [Buffer.from(keys.publicKey).toString('hex')]);
  });

  it('finds an attribute in storage under blake2-256(owner account ‖ name), as peaq\'s SDK does', () => {
    const owner = encodeAddress(keys.publicKey, 42);
    const expected = blake2AsU8a(Uint8Array.from([...decodeAddress(owner), ...Buffer.from('v2')]), 256);
    assert.deepEqual(attributeKey(decodeAddress(owner), 'v2'), expected);
  });

  it('is signed by the gateway key over the document without its signature', () => {
    const { signature, ...unsigned } = buildDidDocument(input);
    const bytes = codecFor('document.Document').encode(unsigned);
    assert.ok(nacl.sign.detached.verify(bytes, Buffer.from(signature!.hash, 'hex'), keys.publicKey));
  });

  it('picks the p2p endpoint of the exact shape peaq wallets parse', () => {
    const peer = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo';
    assert.equal(p2pEndpoint([`/ip4/0.0.0.0/tcp/10333/p2p/${peer}`, `/ip4/10.1.2.3/tcp/10334/ws/p2p/${peer}`, `/ip4/10.1.2.3/tcp/10333/p2p/${peer}`]), `/ip4/10.1.2.3/tcp/10333/p2p/${peer}`);
    assert.equal(p2pEndpoint([`/ip6/::1/tcp/1/p2p/${peer}`]), undefined);
  });
});

/**
 * The peaqDid pallet's storage and its two calls as peaq's runtime has them (a double, named so:
 * peaq's runtime cannot run in CI; test/integration/peaq-wallet.test.ts runs the real one with
 * CGW_TEST_CHAIN_SPEC). Adding an attribute that exists fails with AttributeAlreadyExist and
 * updating one that does not with AttributeNotFound, each after the fee was paid.
 */
class PeaqDidPalletDouble {
  readonly stored = new Map<string, Uint8Array>();
  readonly submitted: string[] = [];
  readonly failed: string[] = [];
  chain(): ChainClient {
    const name = (v: Uint8Array | undefined) => ({ toU8a: () => v ? new TextEncoder().encode(DID_ATTRIBUTE) : new Uint8Array() });
    return {
      shape: { peaqDid: true },
      api: {
        query: { peaqDid: { attributeStore: async (key: Uint8Array) => { const v = this.stored.get(Buffer.from(key).toString('hex')); return { name: name(v), value: { toU8a: () => v ?? new Uint8Array() } }; } } },
        tx: {
          peaqDid: {
            addAttribute: (owner: string, attr: string, value: string) => ({ call: 'addAttribute', owner, attr, value }),
            updateAttribute: (owner: string, attr: string, value: string) => ({ call: 'updateAttribute', owner, attr, value }),
          },
        },
      },
      submit: async (tx: { call: string; owner: string; attr: string; value: string }) => {
        this.submitted.push(tx.call);
        const key = Buffer.from(attributeKey(decodeAddress(tx.owner), tx.attr)).toString('hex');
        const exists = this.stored.has(key);
        if (tx.call === 'addAttribute' ? exists : !exists) {
          this.failed.push(tx.call);
          throw new Error(`peaqDid.${tx.call === 'addAttribute' ? 'AttributeAlreadyExist' : 'AttributeNotFound'}`);
        }
        this.stored.set(key, new TextEncoder().encode(tx.value));
        return { blockHash: '0x', index: 0 };
      },
    } as unknown as ChainClient;
  }
}

describe('publishing the DID document (peaqDid pallet double)', () => {
  it('adds it once, pays nothing for the same document again, updates it when stations change — also from a node that just started (seen: AttributeAlreadyExist, and a fee, on every restart)', async () => {
    await cryptoWaitReady();
    const pair = new Keyring({ type: 'ed25519' }).addFromSeed(new Uint8Array(32).fill(9));
    const pallet = new PeaqDidPalletDouble();
    const keys = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(9));
    const doc = (stations: string[]) => buildDidDocument({
      publicKey: keys.publicKey, address: pair.address, payment: pair.address, name: 'Depot', pricePerKwh: 0.5, p2p: '/ip4/192.0.2.1/tcp/1/p2p/12D3KooWAbc',
      stations: stations.map((identity) => ({ identity, connectors: 1, available: true })), sign: (m) => nacl.sign.detached(m, keys.secretKey),
    });
    assert.ok(await publishDidDocument(pallet.chain(), pair, doc(['CP01'])));
    // A restart: nothing known locally; the document is read from storage and is the same.
    assert.equal(await publishDidDocument(pallet.chain(), pair, doc(['CP01'])), undefined);
    assert.ok(await publishDidDocument(pallet.chain(), pair, doc(['CP01', 'CP02'])));
    assert.deepEqual(pallet.submitted, ['addAttribute', 'updateAttribute']);
    assert.deepEqual(pallet.failed, [], 'no call the chain refuses (each would cost a fee)');
    const back = await readDidDocument(pallet.chain(), pair.address);
    assert.deepEqual(stationsOf(back!).map((m) => m.chargePointClientId), ['CP01', 'CP02']);
  });
});
