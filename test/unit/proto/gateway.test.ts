import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import protobuf from 'protobufjs';
import { codecFor } from '../../../src/proto/codec.ts';
import { loadProtoRoot } from '../../../src/proto/schema.ts';
import { generateTypes } from '../../../src/proto/typegen.ts';

const str = (field: number, s: string) => [(field << 3) | 2, Buffer.byteLength(s), ...Buffer.from(s)];
const varint = (field: number, n: number) => [field << 3, n];
const msg = (field: number, body: number[]) => [(field << 3) | 2, body.length, ...body];

describe('gateway.proto (peaq field numbers)', () => {
  it('src/proto/types.ts is generated from the current .proto files (run `npm run gen:proto`)', () => {
    const committed = readFileSync(fileURLToPath(new URL('../../../src/proto/types.ts', import.meta.url)), 'utf8');
    assert.equal(committed, generateTypes(loadProtoRoot()));
  });

  it('types a string field as the union its comment lists, and nothing else', () => {
    const root = protobuf.parse(`syntax = "proto3"; package t;
      message M {
        // Free text that mentions values: here.
        // values: on | off | ""
        string mode = 1;
        // values: 1 | 2
        int32 count = 2;
        // Who sent it.
        string sender = 3;
      }`, { alternateCommentMode: true }).root;
    root.resolveAll();
    const generated = generateTypes(root);
    assert.match(generated, /mode: \("on" \| "off" \| ""\);/);
    assert.match(generated, /count: number;/, 'only string fields');
    assert.match(generated, /sender: string;/);
    // The stored and sent state keeps the peaq wire types: only the TypeScript is narrower.
    assert.match(readFileSync(fileURLToPath(new URL('../../../src/proto/types.ts', import.meta.url)), 'utf8'), /state: \("authorized" \| "starting" \| "charging"/);
  });

  it('reads a ChargePointState written with the peaq field numbers', () => {
    const connector = [...varint(1, 1), ...str(2, 'Available'), ...varint(3, 7)];
    const bytes = Uint8Array.from([
      ...str(1, 'CP1'),
      ...str(2, 'Accepted'),
      ...msg(3, [...varint(1, 1), ...msg(2, connector)]),
      ...msg(4, [...varint(1, 7), ...msg(2, [...varint(1, 7), ...str(2, 'TAG'), ...varint(3, 1), ...str(4, 'T0'), ...varint(6, 100)])]),
      ...msg(5, [...str(1, 'TAG'), ...msg(2, [...str(1, '5F...'), ...varint(2, 7), ...msg(3, [...str(1, 'TAG'), ...msg(2, str(3, 'Accepted'))])])]),
      ...varint(6, 3),
      ...varint(7, 7),
    ]);
    const state = codecFor('gateway.ChargePointState').decode(bytes);
    assert.equal(state.id, 'CP1');
    assert.equal(state.status, 'Accepted');
    assert.deepEqual({ ...state.connectors[1]!, connectorStatuses: {} }, {
      id: 1, status: 'Available', currentTransaction: 7, evseId: 0, connectorStatuses: {}, errorCode: '', statusTimestamp: '', statusReceivedAt: '',
    });
    assert.equal(state.transactions[7]?.idTag, 'TAG');
    assert.equal(state.transactions[7]?.startMeter, 100);
    assert.equal(state.authList.TAG?.publicKey, '5F...');
    assert.equal(state.authList.TAG?.authData?.idTagInfo?.status, 'Accepted');
    assert.equal(state.currentAuthListVersion, 3);
    assert.equal(state.currentTransactionId, 7);
  });

  it('writes the same bytes for the peaq fields, and its extensions (>= 100) are skipped by a peaq reader', () => {
    const codec = codecFor('gateway.BootNotificationRequestData');
    const encoded = codec.encode({
      chargeBoxSerialNumber: 'B', chargePointModel: 'M', ChargePointSerialNumber: 'S', ChargePointVendor: 'V',
      firmwareVersion: '', iccid: '', imsi: '', meterSerialNumber: '', meterType: 'T',
    });
    assert.deepEqual([...encoded], [...str(1, 'B'), ...str(2, 'M'), ...str(3, 'S'), ...str(4, 'V'), ...str(9, 'T')]);
    // An extension field (ocpp_version = 100) next to peaq fields: both stay readable.
    const withExtension = Uint8Array.from([...str(1, 'CP9'), 0xa2, 0x06, 7, ...Buffer.from('ocpp1.6'), ...varint(7, 2)]);
    const state = codecFor('gateway.ChargePointState').decode(withExtension);
    assert.equal(state.ocppVersion, 'ocpp1.6');
    assert.equal(state.id, 'CP9');
    assert.equal(state.currentTransactionId, 2);
  });

  it('round-trips every field of a full state', () => {
    const codec = codecFor('gateway.ChargePointState');
    const bytes = Uint8Array.from([...str(1, 'X'), ...varint(7, 5)]);
    const state = codec.decode(bytes);
    state.transactionIds['uuid-1'] = 5;
    state.connectors[2] = { id: 2, status: 'Occupied', currentTransaction: 5, evseId: 2, connectorStatuses: { 1: 'Occupied' }, errorCode: '', statusTimestamp: 't', statusReceivedAt: 'r' };
    assert.deepEqual(codec.decode(codec.encode(state)), state);
  });
});
