// A FAKE contract-certificate backend: the real ones (a mobility operator's or a PKI
// platform's service) cannot run here. It speaks the HTTP interface of HttpContractBackend.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeBackendMode = 'ok' | 'error' | 'slow' | 'oversized';

export class FakeContractBackend {
  readonly requests: unknown[] = [];
  mode: FakeBackendMode = 'ok';
  private readonly server: Server;

  private constructor(server: Server) {
    this.server = server;
  }

  static async start(): Promise<FakeContractBackend> {
    const server: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString(); });
      req.on('end', () => {
        const parsed = JSON.parse(body) as { exiRequest: string };
        backend.requests.push(parsed);
        if (backend.mode === 'error') return void res.writeHead(503).end('backend unavailable');
        if (backend.mode === 'slow') return void setTimeout(() => res.writeHead(200).end('{}'), 3000).unref();
        // Stands for an EXI CertificateInstallationRes: derived from the request so a test can tell it came back.
        const exiResponse = backend.mode === 'oversized' ? 'A'.repeat(7504) : Buffer.from(`response-to:${parsed.exiRequest}`).toString('base64');
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ exiResponse }));
      });
    });
    const backend = new FakeContractBackend(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return backend;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/contracts`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
