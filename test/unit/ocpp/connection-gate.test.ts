// The connection caps over real sockets: each cap is what refuses when it is the one reached
// (the descriptor-flood test in hostile-connections reaches the total first).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ConnectionGate, type GateRefusal } from '../../../src/ocpp/core/connection-gate.ts';

describe('connection gate', () => {
  let server: Server;
  let gate: ConnectionGate;
  const refused: { reason: GateRefusal; address: string }[] = [];
  const accepted: Socket[] = [];
  const clients: Socket[] = [];
  before(async () => {
    gate = new ConnectionGate({ maxConnections: 12, maxPending: 8, maxPendingPerAddress: 3 }, (reason, address) => refused.push({ reason, address }));
    server = createServer((socket) => {
      if (gate.admit(socket)) accepted.push(socket);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
  });
  after(async () => {
    for (const s of [...clients, ...accepted]) s.destroy();
    server.close();
  });

  /** A socket from `from` that sends nothing; resolves once the server has counted (or refused) it. */
  const open = async (from: string): Promise<Socket> => {
    const before = accepted.length + refused.length;
    const s = connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, localAddress: from });
    s.on('error', () => {});
    clients.push(s);
    await once(s, 'connect');
    while (accepted.length + refused.length === before) await new Promise((r) => setTimeout(r, 5));
    return s;
  };

  it('refuses a fourth idle socket from one address, and takes one from another', async () => {
    for (let i = 0; i < 3; i++) await open('127.0.0.2');
    await open('127.0.0.2');
    assert.deepEqual(refused, [{ reason: 'pendingPerAddress', address: '127.0.0.2' }]);
    await open('127.0.0.3');
    assert.equal(gate.counts.pending, 4);
  });

  it('refuses past the cap on sockets before their upgrade, from any address', async () => {
    for (const from of ['127.0.0.4', '127.0.0.4', '127.0.0.5', '127.0.0.5']) await open(from);
    assert.equal(gate.counts.pending, 8);
    await open('127.0.0.6');
    assert.deepEqual(refused.at(-1), { reason: 'pending', address: '127.0.0.6' });
  });

  it('counts upgraded sockets only against the total, which refuses once reached', async () => {
    // Stations that finished their upgrade no longer count as pending: new ones are taken again.
    for (const s of accepted) gate.upgraded(s);
    assert.equal(gate.counts.pending, 0);
    for (const from of ['127.0.0.7', '127.0.0.8', '127.0.0.9', '127.0.0.10']) await open(from);
    assert.deepEqual(gate.counts, { total: 12, pending: 4 });
    await open('127.0.0.11');
    assert.deepEqual(refused.at(-1), { reason: 'connections', address: '127.0.0.11' });
    // A socket that leaves frees its place.
    const leaving = accepted.at(-1)!;
    leaving.destroy();
    await once(leaving, 'close');
    await open('127.0.0.11');
    assert.equal(gate.counts.total, 12);
    assert.equal(refused.length, 3);
  });
});
