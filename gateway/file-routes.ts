import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { FirmwareUpdates } from '../src/app/firmware-updates.ts';
import type { LogUploads } from '../src/app/log-uploads.ts';
import { REFUSALS, refusalOf } from '../src/domain/refusals.ts';
import type { Logger } from '../src/log/logger.ts';
import { multipartFile } from './multipart.ts';
import { readCapped } from './capped-body.ts';
import { CodedError } from '../src/coded-error.ts';
import type { FileTransferSocket } from '../src/ocpp/core/server.ts';

// Upload links carry a token: never in the log.
const masked = (path: string): string => path.replace(/\/[^/]{20,}(\/|$)/, '/***$1');

export interface FileRoutesDeps {
  firmware: FirmwareUpdates;
  logs: LogUploads;
  /** Largest upload body taken (a multipart body is read whole, so this bounds memory too). */
  maxUploadBytes: number;
  log: Logger;
}

// Transfers at once (each holds a socket and a file); more are answered 503 and retried.
const MAX_TRANSFERS = 64;
// A transfer whose peer sends or reads nothing for this long is dropped.
const IDLE_MS = 60_000;

/** The prefix of every file path on the OCPP endpoint. */
export const FILES_PREFIX = '/files';

/**
 * Files on the stations' own endpoint (the address, port and TLS they already reach):
 * GET|HEAD /files/firmware/<sha256>/<name> serves an image (a Range from an offset resumes a
 * download); PUT|POST /files/logs/<station>/<request>/<token>[/<file name>] takes a log upload,
 * as the raw body or the first file of a multipart/form-data body.
 */
export function fileRoutes(deps: FileRoutesDeps): (req: IncomingMessage, res: ServerResponse, socket: FileTransferSocket) => boolean {
  let transfers = 0;
  // A transfer the routes take: it holds no place among the sockets waiting for their upgrade
  // (seen: 100 paused downloads from one address locked its stations out), is counted here,
  // and goes when its peer stalls.
  const take = (req: IncomingMessage, res: ServerResponse, socket: FileTransferSocket): boolean => {
    if (transfers >= MAX_TRANSFERS) {
      res.writeHead(503, { 'Retry-After': '30', Connection: 'close', 'Content-Type': 'text/plain; charset=utf-8' }).end('too many file transfers at once; try again\n');
      return false;
    }
    transfers++;
    res.once('close', () => { transfers--; });
    socket.taken();
    req.socket.setTimeout(IDLE_MS, () => req.socket.destroy());
    return true;
  };
  return (req, res, socket) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (!path.startsWith(`${FILES_PREFIX}/`)) return false;
    const parts = path.slice(FILES_PREFIX.length + 1).split('/').map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return '\u0000';
      }
    });
    const done = (status: number, text: string): void => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // The body of a refused upload is not read: the connection goes with the answer.
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' }).end(`${text}\n`);
    };
    const failed = (err: unknown): void => {
      const refusal = refusalOf(err);
      if (refusal) done(REFUSALS[refusal.code].http, refusal.message);
      else if (req.destroyed || res.destroyed) deps.log.info('file transfer ended by the peer', { path: masked(path), err: (err as Error).message });
      else {
        deps.log.error('file transfer failed', { path: masked(path), err });
        done(500, 'the node could not complete the transfer');
      }
    };
    if (parts[0] === 'firmware' && parts.length === 3 && (req.method === 'GET' || req.method === 'HEAD')) {
      serveFirmware(deps, req, res, parts[1]!, parts[2]!, () => take(req, res, socket)).catch(failed);
      return true;
    }
    if (parts[0] === 'logs' && (parts.length === 4 || parts.length === 5) && (req.method === 'PUT' || req.method === 'POST')) {
      const requestId = Number(parts[2]);
      if (!Number.isInteger(requestId)) {
        done(404, 'no such upload link');
        return true;
      }
      // The link is checked before anything is taken or read.
      deps.logs.openUpload(parts[1]!, requestId, parts[3]!).then(() => {
        if (!take(req, res, socket)) return undefined;
        return receiveLog(deps, req, parts[1]!, requestId, parts[3]!, parts[4]).then((upload) => {
          res.writeHead(201, { 'Content-Type': 'application/json', Connection: 'close' }).end(JSON.stringify({ received: upload.size, sha256: upload.sha256 }));
        });
      }).catch(failed);
      return true;
    }
    done(404, `no file at ${path}`);
    return true;
  };
}

/**
 * An image, taken as a transfer only once it exists (a request for nothing holds no place).
 * Every answer closes its connection: a kept-alive socket that no longer counts as waiting
 * for its upgrade would slip past the connection caps.
 */
async function serveFirmware(deps: FileRoutesDeps, req: IncomingMessage, res: ServerResponse, id: string, name: string, take: () => boolean): Promise<void> {
  // Only "bytes=N-" is honoured (a download resumed); anything else is the whole file.
  const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  const start = range ? Number(range[1]) : 0;
  const file = await deps.firmware.download(id, name, start);
  if (!file) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' }).end('no such firmware image\n');
    return;
  }
  if ((start >= file.size && start > 0) || !take()) {
    (file.stream as Readable).destroy?.();
    if (!res.headersSent) res.writeHead(416, { 'Content-Range': `bytes */${file.size}`, Connection: 'close' }).end();
    return;
  }
  const headers = {
    'Content-Type': 'application/octet-stream', 'Content-Length': String(file.size - start), ETag: `"${file.image.id}"`, 'Accept-Ranges': 'bytes', Connection: 'close',
    ...(range ? { 'Content-Range': `bytes ${start}-${file.size - 1}/${file.size}` } : {}),
  };
  res.writeHead(range ? 206 : 200, headers);
  if (req.method === 'HEAD') {
    (file.stream as Readable).destroy?.();
    res.end();
    return;
  }
  deps.log.info('firmware download', { image: file.image.id, name, from: start, address: req.socket.remoteAddress });
  await pipeline(Readable.from(file.stream), res);
}

async function receiveLog(deps: FileRoutesDeps, req: IncomingMessage, identity: string, requestId: number, token: string, pathName: string | undefined) {
  const type = req.headers['content-type'] ?? '';
  const boundary = /^multipart\/form-data;.*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(type);
  return deps.logs.receive(identity, requestId, token, async () => {
    if (!boundary) return { fileName: pathName, source: req };
    // A form upload (as many 1.6 chargers send it): the first file part is the log.
    const body = await readBody(req, deps.maxUploadBytes + 64 * 1024);
    const part = multipartFile(body, boundary[1] ?? boundary[2]!);
    return { fileName: part.fileName ?? pathName, source: Readable.from([part.data]) };
  });
}

function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return readCapped(req, max, () => new CodedError('TooLarge', `the upload is larger than ${max} bytes (files.maxLogBytes)`));
}
