import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { eventsPage } from '../../../src/p2p/events-page.ts';
import { MAX_RESPONSE_BYTES } from '../../../src/p2p/protocol.ts';
import { codecFor } from '../../../src/proto/codec.ts';

const responseCodec = codecFor('cgw.Response');

describe('catch-up pages', () => {
  it('cuts a page of large events so that the encoded answer stays within what a wallet reads', () => {
    // 500 receipts-sized events (about 530 bytes each): 265 KB, more than a wallet reads at once.
    const events = Array.from({ length: 500 }, () => randomBytes(530));
    const page = eventsPage(events);
    assert.ok(page.length > 400 && page.length < 500, `${page.length} of 500 in the first page`);
    assert.deepEqual(page, events.slice(0, page.length), 'the first ones, in order');
    const encoded = responseCodec.encode({ events: { envelopes: page, more: true } });
    assert.ok(encoded.length <= MAX_RESPONSE_BYTES - 4096, `the answer (${encoded.length} bytes) leaves room for its signed envelope`);
  });

  it('keeps small events whole and always returns at least one', () => {
    const small = Array.from({ length: 100 }, () => randomBytes(200));
    assert.equal(eventsPage(small).length, 100);
    assert.equal(eventsPage([randomBytes(1000)], 10).length, 1);
    assert.deepEqual(eventsPage([]), []);
  });
});
