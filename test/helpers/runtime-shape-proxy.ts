// A chain with peaq's genesis naming: a WebSocket proxy in front of a real chain (chopsticks)
// that hands out the chain's metadata with the multisig pallet renamed `MultiSig`, as peaq's
// genesis runtime (spec peaq-node 1) names it. Everything else passes through untouched, so
// transactions still execute on the real chain: the pallet index, the call encoding and the
// storage prefix (kept as it is) do not change, only the name a client sees. With the Asset
// Hub genesis underneath (store_call, u64 weights, `transfer`) this is the multiSig/u64 shape.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

const hex = (s: string) => Buffer.from(s, 'latin1').toString('hex');
// SCALE text: a compact length (8 → 0x20) and the bytes.
const FROM = `20${hex('Multisig')}`;
const TO = `20${hex('MultiSig')}`;

/** The metadata (0x-hex) with every "Multisig" name as "MultiSig", but the storage prefix kept. */
export function renameMultisig(metadataHex: string): string {
  const renamed = metadataHex.split(FROM).join(TO);
  // The pallet's name is followed by Some(storage) (0x01) and the storage prefix: keep that
  // prefix, since the chain's storage keys are hashed from it.
  const palletThenPrefix = `${TO}01${TO}`;
  if (!renamed.includes(palletThenPrefix)) throw new Error('this metadata has no Multisig pallet with storage to rename');
  return renamed.replace(palletThenPrefix, `${TO}01${FROM}`);
}

export class RuntimeShapeProxy {
  readonly endpoint: string;
  private readonly server: Server;
  private readonly wss: WebSocketServer;

  private constructor(server: Server, wss: WebSocketServer) {
    this.server = server;
    this.wss = wss;
    this.endpoint = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  static async start(upstream: string): Promise<RuntimeShapeProxy> {
    const server = createServer();
    const wss = new WebSocketServer({ server });
    wss.on('connection', (client) => {
      const chain = new WebSocket(upstream);
      const queued: string[] = [];
      const methods = new Map<unknown, string>();
      chain.on('open', () => { for (const m of queued.splice(0)) chain.send(m); });
      client.on('message', (data) => {
        const text = data.toString();
        const msg = JSON.parse(text) as { id?: unknown; method?: string };
        if (msg.id !== undefined && msg.method) methods.set(msg.id, msg.method);
        if (chain.readyState === WebSocket.OPEN) chain.send(text);
        else queued.push(text);
      });
      chain.on('message', (data) => {
        const msg = JSON.parse(data.toString()) as { id?: unknown; result?: unknown };
        if (msg.id !== undefined && methods.get(msg.id) === 'state_getMetadata' && typeof msg.result === 'string') msg.result = renameMultisig(msg.result);
        if (msg.id !== undefined) methods.delete(msg.id);
        if (client.readyState === WebSocket.OPEN) client.send(JSON.stringify(msg));
      });
      const closeBoth = () => { client.close(); chain.close(); };
      client.on('close', closeBoth);
      chain.on('close', closeBoth);
      chain.on('error', closeBoth);
      client.on('error', closeBoth);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new RuntimeShapeProxy(server, wss);
  }

  async close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    this.wss.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
