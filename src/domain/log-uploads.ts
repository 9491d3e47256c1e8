import type { Store_LogUpload as LogUpload } from '../proto/types.ts';

export type { LogUpload };

/** What an operator asks a station for: 1.6 GetDiagnostics, or (1.6 security, 2.0.1) GetLog of a type. */
export const LOG_TYPES = ['Diagnostics', 'DiagnosticsLog', 'SecurityLog'] as const;
export type LogType = (typeof LOG_TYPES)[number];

/** An upload URL may be used this long after the request (the station may queue the upload). */
export const UPLOAD_URL_TTL_MS = 24 * 60 * 60_000;

/** Whether the request's one-time URL still takes a file. */
export function uploadOpen(upload: LogUpload, now: Date): boolean {
  return !upload.receivedAt && Date.parse(upload.expiresAt) > now.getTime();
}

/**
 * A station's LogStatusNotification or DiagnosticsStatusNotification for this request. 'Idle'
 * only answers a trigger when the station is not uploading, so it changes nothing.
 */
export function applyLogStatus(upload: LogUpload, status: string, at: Date): boolean {
  if (status === 'Idle' || status === upload.status) return false;
  upload.status = status;
  upload.statusAt = at.toISOString();
  return true;
}

/**
 * The uploads whose files go so that the station's files fit `budgetBytes` with a new one of
 * `incoming` bytes: the oldest files first.
 */
export function filesOverBudget(uploads: readonly LogUpload[], incoming: number, budgetBytes: number): LogUpload[] {
  const withFiles = uploads.filter((u) => u.receivedAt).sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
  let total = withFiles.reduce((sum, u) => sum + u.size, 0) + incoming;
  const drop: LogUpload[] = [];
  for (const u of withFiles) {
    if (total <= budgetBytes) break;
    drop.push(u);
    total -= u.size;
  }
  return drop;
}

/** A file name a station gave, reduced to what is safe in a download header and a path. */
export function safeFileName(name: string | undefined, fallback: string): string {
  const cleaned = (name ?? '').split(/[\\/]/).pop()!.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '').slice(0, 100);
  return cleaned || fallback;
}
