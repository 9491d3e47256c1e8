import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../gateway/cli.ts', import.meta.url));

/** Runs `charging-gateway ARGS` as its own process with `env` added: its exit status and all it printed. */
export async function runCli(env: Record<string, string>, ...args: string[]): Promise<{ status: number; output: string; stdout: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
  let output = '';
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => { output += c.toString(); stdout += c.toString(); });
  child.stderr.on('data', (c: Buffer) => { output += c.toString(); });
  const [status] = (await once(child, 'exit')) as [number];
  return { status, output, stdout };
}

/** The environment that points the CLI at a node's admin API (its port, and its data folder for the token). */
export const adminEnv = (adminPort: number | undefined, dataDir: string): Record<string, string> => ({ CGW_ADMIN_PORT: String(adminPort), CGW_DATA_DIR: dataDir });
