import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { codecFor } from '../../../src/proto/codec.ts';
import { loadProtoRoot } from '../../../src/proto/schema.ts';
import { messageTypes, sampleMessage } from '../../helpers/proto-sample.ts';

const str = (field: number, s: string) => [(field << 3) | 2, Buffer.byteLength(s), ...Buffer.from(s)];
const msg = (field: number, body: number[]) => {
  const tag = (field << 3) | 2;
  return [...(tag > 127 ? [(tag & 0x7f) | 0x80, tag >> 7] : [tag]), body.length, ...body];
};

describe('peaq wire format (events, p2p, gateway, document)', () => {
  const event = codecFor('events.Event');

  it('decodes events as a peaq wallet writes them', () => {
    // IDENTITY_CHALLENGE (7) with identity_challenge_data (field 8).
    const challenge = event.decode(Uint8Array.from([0x08, 7, ...msg(8, str(1, 'ab12'))]));
    assert.equal(challenge.eventId, 'IDENTITY_CHALLENGE');
    assert.equal(challenge.identityChallengeData?.plainData, 'ab12');
    // SERVICE_REQUESTED (3): consumer, provider, token_deposited, connector_id.
    const requested = event.decode(Uint8Array.from([0x08, 3, ...msg(4, [...str(1, '5Cons'), ...str(2, '5Prov'), ...str(3, '1000'), 0x20, 2])]));
    assert.deepEqual(requested.serviceRequestedData, { consumer: '5Cons', provider: '5Prov', tokenDeposited: '1000', connectorId: 2 });
    // IDENTITY_RESPONSE: the signature is field 3 of IdentityResponseData (2 is unused).
    const response = event.decode(Uint8Array.from([0x08, 8, ...msg(9, [...msg(1, [0x08, 0]), ...str(3, 'beef')])]));
    assert.equal(response.identityResponseData?.signature, 'beef');
    // EV_CHARGE_STATUS (31) uses oneof field 26 (two-byte tag).
    const status = event.decode(Uint8Array.from([0x08, 31, ...msg(26, str(2, 'A'))]));
    assert.equal(status.eventId, 'EV_CHARGE_STATUS');
    assert.equal(status.evChargeStatusData?.currentUnit, 'A');
    // An empty payload is a valid CHARGING_STATUS event (the enum's zero).
    assert.equal(event.decode(new Uint8Array(0)).eventId, 'CHARGING_STATUS');
  });

  it('writes the field numbers of the peaq format', () => {
    const bytes = event.encode({ eventId: 'STOP_CHARGE_REQUEST', stopChargeData: { success: true } });
    assert.deepEqual([...bytes], [0x08, 5, ...msg(6, [0x08, 1])]);
    const document = codecFor('document.Document').encode({
      id: 'did:peaq:x', controller: '', verificationMethods: [], services: [{ id: 's', type: 'p2p', serviceEndpoint: '/ip4/1.2.3.4/tcp/1/p2p/x', data: '' }], authentications: [],
    });
    assert.deepEqual([...document], [...str(1, 'did:peaq:x'), ...msg(5, [...str(1, 's'), ...str(2, 'p2p'), ...str(3, '/ip4/1.2.3.4/tcp/1/p2p/x')])]);
  });

  it('round-trips every message of every package with every field set', () => {
    const root = loadProtoRoot();
    const checked: string[] = [];
    for (const { name, type } of messageTypes(root)) {
      const value = sampleMessage(type);
      const again = type.toObject(type.decode(type.encode(type.fromObject(value)).finish()), { longs: Number, enums: String, bytes: Buffer });
      assert.deepEqual(JSON.parse(JSON.stringify(again)), JSON.parse(JSON.stringify(value)), name);
      checked.push(name);
    }
    for (const pkg of ['events.', 'p2p.', 'gateway.', 'document.', 'cgw.', 'session.', 'store.']) {
      assert.ok(checked.some((n) => n.startsWith(pkg)), `no ${pkg} message checked`);
    }
    assert.ok(checked.includes('events.Event') && checked.includes('document.Document') && checked.includes('p2p.ServiceDeliveredData'));
  });
});
