import { RpcError } from './errors.ts';

export const CALL = 2;
export const CALLRESULT = 3;
export const CALLERROR = 4;

/** Message ids are strings of at most 36 characters (OCPP-J). */
export const MAX_MESSAGE_ID_LENGTH = 36;

export type Payload = Record<string, unknown>;

export type Frame =
  | { type: typeof CALL; id: string; action: string; payload: Payload }
  | { type: typeof CALLRESULT; id: string; payload: Payload }
  | { type: typeof CALLERROR; id: string; code: string; description: string; details: Payload }
  /** A well-formed array with a message type this version does not define. */
  | { type: 'unknown'; id: string | undefined; messageType: unknown };

/**
 * Why a frame could not be decoded. `id` is the message id when it could be read, so
 * the answer can carry it; otherwise the answer goes out with id "-1".
 */
export class FrameError extends RpcError {
  readonly id: string | undefined;
  /** True when the frame looked like a CALLRESULT/CALLERROR: those are never answered. */
  readonly isResponse: boolean;

  constructor(kind: RpcError['kind'], message: string, id: string | undefined, isResponse = false) {
    super(kind, message);
    this.id = id;
    this.isResponse = isResponse;
  }
}

function isPlainObject(value: unknown): value is Payload {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readId(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_MESSAGE_ID_LENGTH ? value : undefined;
}

/** Decodes one WebSocket text message into a frame, or throws a FrameError saying why not. */
export function decodeFrame(text: string): Frame {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new FrameError('RpcFrameworkError', 'message is not valid JSON', undefined);
  }
  if (!Array.isArray(raw) || raw.length < 3) {
    throw new FrameError('RpcFrameworkError', 'message is not an OCPP-J array', undefined);
  }
  const [messageType, rawId] = raw;
  const id = readId(rawId);
  const isResponse = messageType === CALLRESULT || messageType === CALLERROR;
  if (id === undefined) {
    throw new FrameError('RpcFrameworkError', 'message id must be a string of 1 to 36 characters', undefined, isResponse);
  }
  switch (messageType) {
    case CALL: {
      const [, , action, payload] = raw;
      if (raw.length !== 4 || typeof action !== 'string' || action.length === 0) {
        throw new FrameError('RpcFrameworkError', 'CALL must be [2, id, action, payload]', id);
      }
      if (!isPlainObject(payload)) throw new FrameError('FormatViolation', 'CALL payload must be a JSON object', id);
      return { type: CALL, id, action, payload };
    }
    case CALLRESULT: {
      const payload = raw[2];
      if (!isPlainObject(payload)) throw new FrameError('FormatViolation', 'CALLRESULT payload must be a JSON object', id, true);
      return { type: CALLRESULT, id, payload };
    }
    case CALLERROR: {
      const [, , code, description, details] = raw;
      if (typeof code !== 'string') throw new FrameError('FormatViolation', 'CALLERROR code must be a string', id, true);
      return {
        type: CALLERROR,
        id,
        code,
        description: typeof description === 'string' ? description : '',
        details: isPlainObject(details) ? details : {},
      };
    }
    default:
      return { type: 'unknown', id, messageType };
  }
}

export function encodeCall(id: string, action: string, payload: Payload): string {
  return JSON.stringify([CALL, id, action, payload]);
}

export function encodeResult(id: string, payload: Payload): string {
  return JSON.stringify([CALLRESULT, id, payload]);
}

export function encodeError(id: string, code: string, description: string, details: Payload = {}): string {
  return JSON.stringify([CALLERROR, id, code, description, details]);
}
