import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '../src/log/logger.ts';

export interface AdminServerOptions {
  host: string;
  port: number;
  registry: Registry;
  /** Ready: the node serves stations (and, when configured, the chain is reachable). */
  ready: () => { ready: boolean; reasons: string[] };
  /** The /api routes (answers false for paths that are not its own). */
  api?: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;
  openapi?: object;
  /** Static files of the dashboard by path ("/" for the page). */
  assets?: Record<string, { type: string; body: Buffer }>;
  log: Logger;
}

/** The operator's HTTP side: /metrics (Prometheus), /healthz (alive) and /readyz (serving). */
export async function startAdminServer(o: AdminServerOptions): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://admin');
    const path = url.pathname;
    if (o.api && path.startsWith('/api/')) {
      o.api(req, res, url).catch((err: unknown) => {
        o.log.error('admin API request failed', { err });
        if (!res.headersSent) res.writeHead(500).end();
      });
      return;
    }
    if (req.method !== 'GET') {
      res.writeHead(405, { Allow: 'GET' }).end();
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    if (path === '/readyz') {
      const r = o.ready();
      res.writeHead(r.ready ? 200 : 503, { 'Content-Type': 'application/json' }).end(JSON.stringify({ ready: r.ready, reasons: r.reasons }));
      return;
    }
    const asset = o.assets?.[path];
    if (asset) {
      res.writeHead(200, { 'Content-Type': asset.type, 'Cache-Control': 'no-cache' }).end(asset.body);
      return;
    }
    if (path === '/openapi.json' && o.openapi) {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(o.openapi));
      return;
    }
    if (path === '/metrics') {
      o.registry.metrics().then(
        (text) => res.writeHead(200, { 'Content-Type': o.registry.contentType }).end(text),
        (err: unknown) => {
          o.log.error('collecting metrics failed', { err });
          res.writeHead(500).end();
        },
      );
      return;
    }
    res.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: `no such path ${path}` }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => { server.off('error', reject); resolve(); });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}
