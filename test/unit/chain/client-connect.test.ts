// The chain client does not wait for ever on an endpoint that takes the connection but never
// answers (a node still starting; seen: the gateway never connected to a dev chain that came up
// while it retried), leaves nothing running when it gives an attempt up, and stops when told.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { WebSocketServer } from 'ws';
import { ChainClient } from '../../../chain/client.ts';
import { eventually } from '../../helpers/wait.ts';

const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('chain client connecting', () => {
  it('gives up a connection that reads no metadata in time, tries again, and stops when disconnected', async () => {
    // Takes the WebSocket, reads the requests, answers none.
    const silent = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(silent, 'listening');
    let asking = 0; // connections that sent a request (the API's; an upgrade probe sends none)
    silent.on('connection', (ws) => {
      ws.once('message', () => { asking++; });
    });
    const { port } = silent.address() as { port: number };
    const client = ChainClient.open(`ws://127.0.0.1:${port}`, () => {}, { readyTimeoutMs: 300 });
    try {
      await eventually(() => asking >= 2, 10_000, 'the client never tried again');
      assert.equal(client.isConnected, false);
    } finally {
      await client.disconnect();
    }
    await eventually(() => silent.clients.size === 0, 5_000, 'a connection stayed open after disconnect');
    const after = asking;
    await sleep(1_000);
    assert.equal(asking, after, 'no connection after disconnect');
    silent.close();
  });

  it('gives up an endpoint that never answers the upgrade, leaving no timer behind', async () => {
    const sockets: Socket[] = [];
    let closed = 0;
    // Reads the upgrade request and answers nothing.
    const mute = createServer((socket) => {
      sockets.push(socket);
      socket.resume();
      socket.once('close', () => { closed++; });
    });
    mute.listen(0, '127.0.0.1');
    await once(mute, 'listening');
    const { port } = mute.address() as { port: number };
    const before = timers();
    const client = ChainClient.open(`ws://127.0.0.1:${port}`, () => {}, { readyTimeoutMs: 300 });
    await eventually(() => sockets.length >= 3, 10_000, 'the client never tried again');
    await client.disconnect();
    await eventually(() => closed === sockets.length, 5_000, 'a socket stayed open');
    // What an attempt started (a provider's reconnect interval, a handshake timer) is gone.
    await eventually(() => timers() <= before, 5_000, `timers left running: ${timers() - before}`);
    for (const s of sockets) s.destroy();
    mute.close();
  });
});
