import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The data folder holds consumers' sessions and keys: only the node's user may read it. New
 * files are made private (umask 077, whatever the shell's umask), and what an earlier version
 * left readable to others is tightened: group and other bits removed, the owner's kept as they
 * are (a folder an operator made read-only stays read-only).
 */
export function prepareDataFolder(dataDir: string): void {
  process.umask(0o077);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  tighten(dataDir);
}

function tighten(path: string): void {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return;
  }
  if (stat.isSymbolicLink()) return;
  const private_ = stat.mode & (stat.isDirectory() ? 0o700 : 0o600);
  if ((stat.mode & 0o777) !== private_) {
    try {
      chmodSync(path, private_);
    } catch {
      // A read-only mount: opening the store names the problem.
    }
  }
  if (stat.isDirectory()) for (const name of readdirSync(path)) tighten(join(path, name));
}
