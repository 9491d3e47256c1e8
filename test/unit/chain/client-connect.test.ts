// The chain client does not wait for ever on an endpoint that accepts but never answers (a node
// still starting; seen: the gateway never connected to a dev chain that came up while it retried).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { WebSocketServer } from 'ws';
import { ChainClient } from '../../../chain/client.ts';
import { eventually } from '../../helpers/wait.ts';

describe('chain client connecting', () => {
  it('gives up a connection that reads no metadata in time and tries again', async () => {
    // Takes the WebSocket, reads the requests, answers none.
    const silent = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(silent, 'listening');
    let connections = 0;
    let requests = 0;
    silent.on('connection', (ws) => {
      connections++;
      ws.on('message', () => { requests++; });
    });
    const { port } = silent.address() as { port: number };
    const client = ChainClient.open(`ws://127.0.0.1:${port}`, () => {}, { readyTimeoutMs: 300 });
    try {
      await eventually(() => connections >= 2, 10_000, 'the client never tried again');
      assert.ok(requests >= 1, 'the first connection asked for something');
      assert.equal(client.isConnected, false);
    } finally {
      await client.disconnect();
      for (const ws of silent.clients) ws.terminate();
      silent.close();
    }
  });
});
