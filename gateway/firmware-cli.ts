import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { createHash } from 'node:crypto';
import { adminCall, adminFetch } from './admin-client.ts';
import { loadConfig } from './config/load.ts';
import { optionTime } from './cli-options.ts';
import type { Config } from './config/schema.ts';

const HELP = `charging-gateway firmware: firmware images on the node, and updates of stations

Usage:
  charging-gateway firmware upload FILE [--name NAME] [--signature FILE] [--certificate FILE] [--note TEXT]
                                        keep an image (checked by its sha256 on the node); a signed
                                        image (the vendor's base64 signature and PEM certificate) goes
                                        to 1.6 stations as SignedUpdateFirmware, to 2.0.1 with them
  charging-gateway firmware list        the images, newest first
  charging-gateway firmware delete IMAGE
  charging-gateway firmware install IDENTITY IMAGE [--at TIME]
                                        send the station an update (now, or to fetch at TIME)
  charging-gateway firmware status IDENTITY
                                        the station's last update and each status it reported
  charging-gateway firmware rollout IMAGE IDENTITY... [--parallel N]
                                        update these stations in order, N at a time (1); offline
                                        ones are started once they connect
  charging-gateway firmware rollouts [ID]
  charging-gateway firmware cancel-rollout ID
                                        start no more stations (those updating finish)

IMAGE is an image's id (its sha256), the start of one, or its name (the newest of that name).
Talks to the running node's admin API (admin.host/admin.port, token from the configuration).`;

export async function firmwareMain(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' }, name: { type: 'string' }, signature: { type: 'string' }, certificate: { type: 'string' },
      note: { type: 'string' }, at: { type: 'string' }, parallel: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, first, ...rest] = positionals;
  if (values.help || !command) {
    console.log(HELP);
    return values.help ? 0 : 2;
  }
  const file = values.config ?? process.env.CGW_CONFIG;
  const config = loadConfig({ ...(file ? { file } : {}) });
  if (command === 'list') return adminCall(config, 'GET', '/api/firmware');
  if (command === 'rollouts') return adminCall(config, 'GET', `/api/rollouts${first ? `/${encodeURIComponent(first)}` : ''}`);
  if (command === 'cancel-rollout' && first) return adminCall(config, 'DELETE', `/api/rollouts/${encodeURIComponent(first)}`);
  if (command === 'status' && first) return adminCall(config, 'GET', `/api/stations/${encodeURIComponent(first)}/firmware`);
  if (command === 'upload' && first) return upload(config, first, values);
  if (command === 'delete' && first) return withImage(config, first, (id) => adminCall(config, 'DELETE', `/api/firmware/${id}`));
  if (command === 'install' && first && rest[0]) {
    const retrieveAt = optionTime('--at', values.at);
    if (retrieveAt === null) return 2;
    return withImage(config, rest[0], (image) => adminCall(config, 'POST', `/api/stations/${encodeURIComponent(first)}/firmware`, { image, ...(retrieveAt ? { retrieveAt } : {}) }));
  }
  if (command === 'rollout' && first && rest.length) {
    return withImage(config, first, (image) => adminCall(config, 'POST', '/api/rollouts', { image, stations: rest, maxParallel: Number(values.parallel ?? 1) }));
  }
  console.error(HELP);
  return 2;
}

async function upload(config: Config, path: string, o: { name?: string | undefined; signature?: string | undefined; certificate?: string | undefined; note?: string | undefined }): Promise<number> {
  if (Boolean(o.signature) !== Boolean(o.certificate)) {
    console.error('a signed image needs both --signature and --certificate');
    return 2;
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    console.error(`cannot read ${path}: ${(err as Error).message}`);
    return 2;
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const query = new URLSearchParams({ name: o.name ?? basename(path), sha256 });
  const res = await adminFetch(config, 'POST', `/api/firmware?${query}`, new Uint8Array(bytes));
  if (!res) return 1;
  const text = await res.text();
  if (!res.ok) {
    console.error(text);
    return 1;
  }
  if (!o.signature && !o.note) {
    console.log(text);
    return 0;
  }
  const description = {
    ...(o.signature ? { signature: readFileSync(o.signature, 'utf8').trim(), signingCertificate: readFileSync(o.certificate!, 'utf8') } : {}),
    ...(o.note ? { note: o.note } : {}),
  };
  return adminCall(config, 'PUT', `/api/firmware/${sha256}`, description);
}

/** Finds the image an operator names (id, start of an id, or name) and runs `then` with its id. */
async function withImage(config: Config, named: string, then: (id: string) => Promise<number>): Promise<number> {
  const res = await adminFetch(config, 'GET', '/api/firmware');
  if (!res) return 1;
  if (!res.ok) {
    console.error(await res.text());
    return 1;
  }
  const images = await res.json() as { id: string; name: string }[];
  const byId = images.filter((i) => i.id.startsWith(named.toLowerCase()));
  const match = byId.length === 1 ? byId[0] : images.find((i) => i.name === named);
  if (!match) {
    console.error(byId.length > 1 ? `${named} starts more than one image id: give more of it` : `no firmware image ${named} (charging-gateway firmware list)`);
    return 1;
  }
  return then(match.id);
}

