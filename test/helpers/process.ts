import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

import { NODE_FLAGS } from '../../gateway/node-flags.js';

const CLI = fileURLToPath(new URL('../../gateway/cli.ts', import.meta.url));

export interface GatewayProcess {
  child: ChildProcess;
  ocppUrl: string;
  /** The libp2p multiaddrs consumers dial (with /p2p/<peer id>). */
  p2p: string[];
  peerId: string;
  /** The admin HTTP base URL. */
  admin: string;
  /** Every log line the node wrote so far. */
  output: string[];
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Runs the real CLI (`charging-gateway start`) as a child process and waits until it serves stations. */
/** For load generators whose stations send as fast as they are answered, above the per-station rate limit. */
// All of them connect from 127.0.0.1 at once, so the caps on connections still upgrading go too.
export const UNTHROTTLED_STATIONS = {
  CGW_OCPP_MAX_MESSAGES_PER_SECOND: '1000000', CGW_OCPP_MESSAGE_BURST: '1000000', CGW_OCPP_MAX_PENDING_CONNECTIONS: '100000', CGW_OCPP_MAX_PENDING_PER_ADDRESS: '100000',
  CGW_STATIONS_MAX_UNLISTED: '100000',
};

export interface SpawnOptions {
  timeoutMs?: number;
  /** Extra node flags (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** RLIMIT_FSIZE for the node (`ulimit -f`): a write past it fails, standing in for a full disk. */
  fileSizeLimitBytes?: number;
  /**
   * Run the node without the capabilities that let root write anywhere (DAC override), so
   * file modes apply to it as on a production host where it runs as its own user.
   */
  obeyFileModes?: boolean;
  /** RLIMIT_NOFILE for the node (`prlimit --nofile`): how many descriptors it may hold. */
  openFileLimit?: number;
}

export async function spawnGateway(env: Record<string, string>, { timeoutMs = 20_000, nodeArgs = [], fileSizeLimitBytes, obeyFileModes, openFileLimit }: SpawnOptions = {}): Promise<GatewayProcess> {
  // As `npm start` runs it: with the node's V8 flags.
  let command = [process.execPath, ...NODE_FLAGS, ...nodeArgs, CLI, 'start'];
  // The soft limit only, so that it can be raised again from outside (the disk freed: prlimit --pid).
  if (fileSizeLimitBytes !== undefined) command = ['/bin/sh', '-c', `ulimit -S -f ${Math.ceil(fileSizeLimitBytes / 512)} && exec "$0" "$@"`, ...command];
  if (openFileLimit !== undefined) command = ['prlimit', `--nofile=${openFileLimit}:${openFileLimit}`, '--', ...command];
  if (obeyFileModes) command = ['setpriv', '--bounding-set=-dac_override,-dac_read_search', '--', ...command];
  const [file, ...args] = command;
  const child = spawn(file!, args, {
    // Readiness is read from the info-level "gateway started" line.
    env: {
      ...process.env, CGW_OCPP_HOST: '127.0.0.1', CGW_OCPP_PORT: '0', CGW_LOG_LEVEL: 'info',
      CGW_P2P_LISTEN: '["/ip4/127.0.0.1/tcp/0","/ip4/127.0.0.1/tcp/0/ws"]', CGW_ADMIN_PORT: '0', ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const started = await new Promise<{ url: string; p2p: string[]; peerId: string; admin: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gateway did not start:\n${output.join('\n')}`));
    }, timeoutMs);
    let buffer = '';
    const onData = (chunk: Buffer): void => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        output.push(line);
        if (line.includes('"gateway started"')) {
          clearTimeout(timer);
          const record = JSON.parse(line) as { ocpp: string; p2p?: string[]; peerId?: string; admin?: string };
          resolve({ url: record.ocpp.replace(/\/<identity>$/, ''), p2p: record.p2p ?? [], peerId: record.peerId ?? '', admin: record.admin ?? '' });
        }
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => output.push(c.toString()));
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`gateway exited with ${code}:\n${output.join('\n')}`)); });
  });
  return {
    child,
    ocppUrl: started.url,
    p2p: started.p2p,
    peerId: started.peerId,
    admin: started.admin,
    output,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = once(child, 'exit');
      child.kill(signal);
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}
