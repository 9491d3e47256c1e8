import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Ajv } from 'ajv';
import type { FirmwareUpdates } from '../src/app/firmware-updates.ts';
import type { LogUploads } from '../src/app/log-uploads.ts';
import { LOG_TYPES, type LogType } from '../src/domain/log-uploads.ts';
import { HttpError, checked, readJson, send } from './admin-kit.ts';

export interface FilesApiDeps {
  firmware: FirmwareUpdates;
  logs: LogUploads;
}

const time = { type: 'string', format: 'date-time', description: 'ISO 8601' } as const;
// The limits are the OCPP schemas' own (Firmware.signature, signingCertificate).
export const IMAGE_DESCRIPTION = {
  type: 'object', additionalProperties: false,
  properties: {
    signature: { type: 'string', maxLength: 800, description: 'The vendor\'s signature of the image, base64' },
    signingCertificate: { type: 'string', maxLength: 5500, description: 'PEM of the certificate that signed it' },
    note: { type: 'string', maxLength: 200 },
  },
} as const;
export const FIRMWARE_UPDATE = {
  type: 'object', additionalProperties: false, required: ['image'],
  properties: { image: { type: 'string', pattern: '^[0-9a-fA-F]{64}$', description: 'The image id (its sha256)' }, retrieveAt: time, installAt: time },
} as const;
export const ROLLOUT = {
  type: 'object', additionalProperties: false, required: ['image', 'stations'],
  properties: {
    image: FIRMWARE_UPDATE.properties.image,
    stations: { type: 'array', minItems: 1, maxItems: 10_000, items: { type: 'string', minLength: 1, maxLength: 48 } },
    maxParallel: { type: 'integer', minimum: 1, maximum: 1000, default: 1, description: 'Stations updating at once' },
  },
} as const;
export const LOG_REQUEST = {
  type: 'object', additionalProperties: false,
  properties: {
    logType: { enum: LOG_TYPES, description: 'Diagnostics: 1.6 GetDiagnostics (the default for 1.6); DiagnosticsLog (the default for 2.0.1) and SecurityLog: GetLog' },
    from: time, to: time,
  },
} as const;

const ajv = new Ajv({ allErrors: false, formats: { 'date-time': (s: string) => !Number.isNaN(Date.parse(s)) && /^\d{4}-\d\d-\d\dT/.test(s) } });
const checkDescription = ajv.compile(IMAGE_DESCRIPTION);
const checkUpdate = ajv.compile(FIRMWARE_UPDATE);
const checkRollout = ajv.compile(ROLLOUT);
const checkLogRequest = ajv.compile(LOG_REQUEST);

/**
 * The admin API's firmware and log resources: /api/firmware (images), /api/rollouts,
 * /api/stations/{id}/firmware and /api/stations/{id}/logs. Answers false for other paths.
 */
export async function filesApi(deps: FilesApiDeps, req: IncomingMessage, res: ServerResponse, url: URL, parts: string[]): Promise<boolean> {
  const [resource, id, sub, item, tail] = parts;
  const method = req.method;
  if (resource === 'firmware') {
    if (!id && method === 'GET') return answer(res, 200, await deps.firmware.images());
    if (!id && method === 'POST') {
      // The body is the image itself; its name (and, to check it, its sha256) in the query.
      const name = url.searchParams.get('name');
      if (!name) throw new HttpError(400, 'name: the file name stations see is required (?name=)', 'name');
      const sha256 = url.searchParams.get('sha256') ?? undefined;
      const { image, created } = await deps.firmware.upload(name, req as AsyncIterable<Uint8Array>, sha256);
      return answer(res, created ? 201 : 200, image);
    }
    if (id && !sub && method === 'GET') return answer(res, 200, await deps.firmware.image(id));
    if (id && !sub && method === 'PUT') return answer(res, 200, await deps.firmware.describe(id, checked(checkDescription, await readJson(req))));
    if (id && !sub && method === 'DELETE') {
      await deps.firmware.remove(id);
      return answer(res, 200, { deleted: id });
    }
  }
  if (resource === 'rollouts') {
    if (!id && method === 'GET') return answer(res, 200, deps.firmware.listRollouts());
    if (!id && method === 'POST') {
      const { image, stations, maxParallel = 1 } = checked(checkRollout, await readJson(req)) as { image: string; stations: string[]; maxParallel?: number };
      return answer(res, 201, await deps.firmware.startRollout(image, stations, maxParallel));
    }
    if (id && method === 'GET') return answer(res, 200, deps.firmware.rollout(id));
    if (id && method === 'DELETE') return answer(res, 200, await deps.firmware.cancelRollout(id));
  }
  if (resource === 'stations' && id && sub === 'firmware' && !item) {
    if (method === 'GET') return answer(res, 200, { update: (await deps.firmware.status(id)) ?? null });
    if (method === 'POST') {
      const { image, retrieveAt, installAt } = checked(checkUpdate, await readJson(req)) as { image: string; retrieveAt?: string; installAt?: string };
      return answer(res, 200, await deps.firmware.update(id, image, { ...(retrieveAt ? { retrieveAt } : {}), ...(installAt ? { installAt } : {}) }));
    }
  }
  if (resource === 'stations' && id && sub === 'logs') {
    if (!item && method === 'GET') return answer(res, 200, await deps.logs.list(id));
    if (!item && method === 'POST') {
      const body = checked(checkLogRequest, await readJson(req)) as { logType?: LogType; from?: string; to?: string };
      return answer(res, 200, await deps.logs.request(id, body));
    }
    if (item && tail === 'file' && method === 'GET') {
      const requestId = Number(item);
      if (!Number.isInteger(requestId)) throw new HttpError(400, 'the log request id is an integer');
      const file = await deps.logs.file(id, requestId);
      res.writeHead(200, {
        'Content-Type': 'application/octet-stream', 'Content-Length': String(file.size),
        'Content-Disposition': `attachment; filename="${file.upload.fileName}"`, 'X-Content-SHA256': file.upload.sha256,
      });
      await pipeline(Readable.from(file.stream), res);
      return true;
    }
  }
  return false;
}

function answer(res: ServerResponse, status: number, body: unknown): true {
  send(res, status, body);
  return true;
}
