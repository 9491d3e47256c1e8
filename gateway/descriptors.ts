import { readFileSync } from 'node:fs';

/** Files LevelDB may hold open at once (its own default is 1000). */
export const STORAGE_OPEN_FILES = 256;
/** Descriptors kept for everything else: libp2p, the chain, the admin API, logs, certificates. */
const OTHER_DESCRIPTORS = 384;

/** The process's soft open-file limit (RLIMIT_NOFILE), where the system tells it. */
export function openFileLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = line?.trim().split(/\s+/)[3];
    return soft && /^\d+$/.test(soft) ? Number(soft) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * How many sockets stations may hold: the configured cap, but never so many that LevelDB and
 * the rest of the node run out of descriptors ("Too many open files" would stop the storage).
 */
export function stationSocketBudget(configured: number, limit = openFileLimit()): number {
  if (limit === undefined) return configured;
  return Math.max(16, Math.min(configured, limit - STORAGE_OPEN_FILES - OTHER_DESCRIPTORS));
}
