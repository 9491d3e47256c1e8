import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import nacl from 'tweetnacl';
import { buildDidDocument, decodeDidValue, encodeDidValue, p2pEndpoint, p2pServiceOf } from '../../../chain/did.ts';
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
    assert.equal(back.services[0]?.stringData, input.p2p);
    assert.equal(back.services[2]?.metadata?.chargePointClientId, 'CP01');
    assert.equal(back.services[2]?.metadata?.connectorsCount, 2);
    assert.match(encodeDidValue(doc), /^[0-9a-f]+$/, 'ASCII hex of the protobuf bytes');
    assert.equal(p2pServiceOf(back), input.p2p, 'a wallet finds where to dial');
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
