import assert from 'node:assert/strict';
import { hash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { decodeAddress, encodeAddress } from '@polkadot/util-crypto';
import { base58Decode, ss58PublicKey } from '../../../src/crypto/ss58.ts';

// The addresses come from polkadot-js (what wallets use); the decoder under test is ours.
describe('SS58 addresses read without polkadot-js', () => {
  it('reads the key of an address of any network, as polkadot-js encodes and decodes it', () => {
    for (const prefix of [0, 1, 2, 5, 42, 63, 64, 65, 255, 1000, 4242, 16383]) {
      for (let n = 0; n < 20; n++) {
        const key = n === 0 ? new Uint8Array(32) : n === 1 ? new Uint8Array(32).fill(255) : randomBytes(32);
        const address = encodeAddress(key, prefix);
        assert.deepEqual(ss58PublicKey(address), Uint8Array.from(key), `${prefix} ${address}`);
        assert.deepEqual(ss58PublicKey(address), decodeAddress(address));
      }
    }
  });

  it('refuses a wrong checksum, a key that is not 32 bytes, other characters and over-long text', () => {
    // A fixed key: with a random one, a changed character keeps the 2-byte checksum once in 65,536.
    const address = encodeAddress(new Uint8Array(32).map((_, i) => i * 7), 42);
    // Every single-character change breaks the checksum (or the length).
    for (let i = 1; i < address.length; i++) {
      const other = address[i] === 'z' ? 'y' : 'z';
      assert.equal(ss58PublicKey(address.slice(0, i) + other + address.slice(i + 1)), undefined, `changed at ${i}`);
    }
    assert.equal(ss58PublicKey(encodeAddress(randomBytes(33), 42)), undefined, 'a 33-byte ecdsa key');
    assert.equal(ss58PublicKey(encodeAddress(randomBytes(8), 42)), undefined, 'an 8-byte account index');
    assert.equal(ss58PublicKey(`${address.slice(0, -1)}0`), undefined, '0 is not base58');
    assert.equal(ss58PublicKey(''), undefined);
    assert.equal(ss58PublicKey('z'.repeat(100_000)), undefined);
  });

  it('refuses the reserved prefixes 46 and 47 and a first byte with its top bit set, checksum or not', () => {
    // Built by hand: polkadot-js will not encode these.
    const forge = (prefix: number[]) => {
      const key = randomBytes(32);
      const sum = createChecksum(Buffer.from([...prefix, ...key]));
      return base58Encode(Buffer.from([...prefix, ...key, ...sum]));
    };
    assert.ok(ss58PublicKey(forge([42])), 'the forger itself makes valid addresses');
    for (const prefix of [[46], [47], [0x80], [0xc0, 0x01]]) assert.equal(ss58PublicKey(forge(prefix)), undefined, String(prefix));
  });

  it('decodes base58 as Bitcoin does, a leading 1 for each leading zero byte', () => {
    assert.equal(Buffer.from(base58Decode('StV1DL6CwTryKyV')!).toString(), 'hello world');
    assert.deepEqual(base58Decode('1112'), Uint8Array.from([0, 0, 0, 1]));
    assert.deepEqual(base58Decode(''), new Uint8Array(0));
    assert.equal(base58Decode('I'), undefined);
  });
});

function createChecksum(body: Buffer): Buffer {
  return hash('blake2b512', Buffer.concat([Buffer.from('SS58PRE'), body]), 'buffer').subarray(0, 2);
}
function base58Encode(bytes: Buffer): string {
  const alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
  let n = BigInt(`0x${bytes.toString('hex') || '0'}`);
  let out = '';
  while (n > 0n) {
    out = alphabet[Number(n % 58n)]! + out;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = `1${out}`;
  }
  return out;
}
