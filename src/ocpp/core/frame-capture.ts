import { CodedError } from '../../coded-error.ts';
import { redactSecrets } from '../../domain/secrets.ts';

/** Where a connection hands its frames while someone captures that station (connection.ts). */
export interface FrameTap {
  wants(identity: string): boolean;
  record(identity: string, direction: 'in' | 'out', text: string): void;
}

/** One frame as captured, credentials and idTags masked. */
export interface CapturedFrame {
  at: string;
  direction: 'in' | 'out';
  frame: unknown;
}

interface Capture {
  until: number;
  frames: CapturedFrame[];
}

// Drivers' card numbers and other personal identifiers: a long one is kept recognisable by its
// last 4 characters, a short one (a PIN) not at all.
const TOKEN_FIELDS = new Set(['idTag', 'idToken', 'parentIdTag', 'groupIdToken', 'additionalIdToken', 'customerIdentifier', 'iccid', 'imsi', 'eMAID']);
// A frame larger than this is noted by its size only: a capture holds at most 500 × this.
const MAX_FRAME_CHARS = 64 * 1024;
// Captures running (or read) at once, and how long a finished one stays readable.
const MAX_CAPTURES = 20;
const KEPT_AFTER_MS = 60 * 60_000;

/** Too many stations are being captured already. */
export class CaptureLimitError extends CodedError<'Conflict'> {}

/**
 * The frames of the stations an operator is watching, for a limited time, the newest
 * `maxFrames` each. Nothing is kept for any other station: an idle station costs nothing.
 * Frames live in memory only (gone with a restart).
 */
export class FrameCapture implements FrameTap {
  private readonly captures = new Map<string, Capture>();
  private readonly maxFrames: number;
  private readonly now: () => Date;

  constructor(opts: { maxFrames: number; now: () => Date }) {
    this.maxFrames = opts.maxFrames;
    this.now = opts.now;
  }

  /**
   * Captures the station's frames from now until `ms` from now: a running capture is extended,
   * an ended one starts afresh. Captures that ended an hour ago are dropped.
   */
  start(identity: string, ms: number): { until: string } {
    const now = this.now().getTime();
    for (const [id, c] of this.captures) if (c.until + KEPT_AFTER_MS < now) this.captures.delete(id);
    const capture = this.captures.get(identity);
    if (!capture && this.captures.size >= MAX_CAPTURES) throw new CaptureLimitError('Conflict', `${MAX_CAPTURES} stations are being captured already; stop one first`);
    const until = now + ms;
    if (capture && capture.until > now) capture.until = until;
    else this.captures.set(identity, { until, frames: [] });
    return { until: new Date(until).toISOString() };
  }

  stop(identity: string): void {
    const capture = this.captures.get(identity);
    if (capture) capture.until = 0;
  }

  /** What was captured (also after the capture ended, for an hour or until a new one starts), oldest first. */
  frames(identity: string): { capturing: boolean; until?: string; frames: CapturedFrame[] } {
    const capture = this.captures.get(identity);
    if (!capture) return { capturing: false, frames: [] };
    const capturing = this.wants(identity);
    return { capturing, ...(capturing ? { until: new Date(capture.until).toISOString() } : {}), frames: capture.frames };
  }

  wants(identity: string): boolean {
    const capture = this.captures.get(identity);
    return capture !== undefined && capture.until > this.now().getTime();
  }

  record(identity: string, direction: 'in' | 'out', text: string): void {
    const capture = this.captures.get(identity);
    if (!capture || capture.until <= this.now().getTime()) return;
    const frame = text.length > MAX_FRAME_CHARS ? { large: `${text.length} characters, not kept` } : redactedFrame(text);
    capture.frames.push({ at: this.now().toISOString(), direction, frame });
    if (capture.frames.length > this.maxFrames) capture.frames.splice(0, capture.frames.length - this.maxFrames);
  }
}

/** A frame with credentials (as redactSecrets knows them) and idTags masked. */
export function redactedFrame(text: string): unknown {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    // What it held is not shown: it may be anything, secrets included.
    return { unreadable: `${text.length} characters, not JSON` };
  }
  if (!Array.isArray(frame)) return { unreadable: 'JSON, but not an OCPP frame' };
  const [type, id, ...rest] = frame as unknown[];
  // A CALL names its action, so its payload is redacted as that action's; answers by field name.
  if (type === 2 && typeof rest[0] === 'string' && isObject(rest[1])) return [type, id, rest[0], maskTokens(redactSecrets(rest[0], rest[1]))];
  return [type, id, ...rest.map((part) => (isObject(part) ? maskTokens(redactSecrets('', part)) : part))];
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

function maskTokens(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskTokens);
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => {
    if (TOKEN_FIELDS.has(k) && typeof v === 'string') return [k, v.length >= 8 ? `***${v.slice(-4)}` : '***'];
    // A DataTransfer carries its own JSON as text (1.6 Plug & Charge: the driver's eMAID in it).
    if (k === 'data' && typeof v === 'string' && /^\s*[[{]/.test(v)) return [k, maskedJsonText(v)];
    return [k, maskTokens(v)];
  }));
}

function maskedJsonText(text: string): string {
  try {
    return JSON.stringify(maskTokens(redactSecrets('', JSON.parse(text) as object)));
  } catch {
    return `(${text.length} characters)`;
  }
}
