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

// idTag and idToken values are the drivers' card numbers: kept recognisable by their end only.
const TOKEN_FIELDS = new Set(['idTag', 'idToken', 'parentIdTag', 'groupIdToken']);
// A frame that is not even JSON is kept this long, for the operator to see what came.
const RAW_CHARS = 200;

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

  /** Captures the station's frames from now until `ms` from now (a running capture is extended). */
  start(identity: string, ms: number): { until: string } {
    const until = this.now().getTime() + ms;
    const capture = this.captures.get(identity);
    if (capture) capture.until = until;
    else this.captures.set(identity, { until, frames: [] });
    return { until: new Date(until).toISOString() };
  }

  stop(identity: string): void {
    const capture = this.captures.get(identity);
    if (capture) capture.until = 0;
  }

  /** What was captured (also after the capture ended, until a new one starts), oldest first. */
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
    capture.frames.push({ at: this.now().toISOString(), direction, frame: redactedFrame(text) });
    if (capture.frames.length > this.maxFrames) capture.frames.splice(0, capture.frames.length - this.maxFrames);
  }
}

/** A frame with credentials (as redactSecrets knows them) and idTags masked. */
export function redactedFrame(text: string): unknown {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    return { unreadable: text.slice(0, RAW_CHARS) };
  }
  if (!Array.isArray(frame)) return frame;
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
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, TOKEN_FIELDS.has(k) && typeof v === 'string' ? `***${v.slice(-4)}` : maskTokens(v)]));
}
