import type { FrameTap } from './frame-capture.ts';
import { randomUUID } from 'node:crypto';
import type WebSocket from 'ws';
import type { Logger } from '../../log/logger.ts';
import { CallTimeoutError, ConnectionClosedError, InvalidOutboundError, RpcError, codeFor, kindOfCode } from './errors.ts';
import { CALL, CALLERROR, CALLRESULT, FrameError, decodeFrame, encodeCall, encodeError, encodeResult } from './frame.ts';
import type { Frame, Payload } from './frame.ts';
import type { SchemaIssue, SchemaSet } from './schemas.ts';
import { InboundGuard, type InboundLimits } from './inbound-guard.ts';
import type { TurnAdmission } from './turn-admission.ts';
import { errorKindOf, judge, type ValidationPolicy } from './validation-policy.ts';
import type { OcppVersion } from './version.ts';

/**
 * Answers one CALL from the station. Throw an RpcError to answer with a CALLERROR. `after` runs
 * once the CALLRESULT is on its way (work a station may only see after its answer).
 */
export type InboundHandler = (action: string, payload: Payload, connection: OcppConnection) => Promise<{ response: Payload; after?: () => void }>;

/**
 * What every connection of one OCPP version shares, made once by the server: kept apart from
 * each connection's own fields, so an idle station holds no copy of it.
 */
export interface ConnectionContext {
  version: OcppVersion;
  schemas: SchemaSet;
  callTimeoutMs: number;
  limits: InboundLimits;
  /** Shared by every connection of the server: how many frames are taken up per event-loop turn. */
  admission: TurnAdmission;
  handler: InboundHandler;
  /** Actions the central system handles; other known actions are answered NotSupported. */
  handledActions: ReadonlySet<string>;
  /**
   * Actions whose CALLERROR would make a station retry forever or drop data (transaction
   * messages): on our own failure they get no answer, so the station retries later.
   */
  noErrorOnInternalFailure: ReadonlySet<string>;
  onDeviation: (connection: OcppConnection, action: string, issues: SchemaIssue[]) => void;
  /** After the socket closed and the calls under way were failed. */
  onClosed: (connection: OcppConnection, code: number, reason: Buffer) => void;
  observer?: OcppObserver;
  /** Frames of the stations an operator captures (frame-capture.ts). */
  frames?: FrameTap;
}

/** One connection's own: its station and how it was admitted. */
export interface ConnectionOptions {
  identity: string;
  /** Monotonic across the server: a higher generation replaced a lower one. */
  generation: number;
  policy: ValidationPolicy;
  /**
   * True when the station's BootNotification is answered Rejected: then the only CALL the
   * central system may send is TriggerMessage(BootNotification).
   */
  rejected: boolean;
  /** Where the station reached the node over HTTP(S) (scheme://host:port, as it dialed): files are offered there. */
  httpOrigin?: string;
  log: Logger;
}

/** Told about every call in either direction (metrics). */
export interface OcppObserver {
  inbound(version: OcppVersion, action: string, outcome: 'result' | 'error' | 'unanswered', code?: string): void;
  outbound(version: OcppVersion, action: string, seconds: number, outcome: 'result' | 'error' | 'timeout' | 'closed'): void;
}

export interface CallOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

interface OutboundCall {
  id: string;
  action: string;
  payload: Payload;
  timeoutMs: number;
  signal: AbortSignal | undefined;
  resolve: (payload: Payload) => void;
  reject: (err: Error) => void;
}

// Ids of calls that timed out, so a late answer is recognised and dropped quietly.
const LATE_ANSWER_MEMORY = 32;
// Frames a station may have waiting for the node's next turn before its socket stops being read.
const WAITING_FRAMES_READ = 8;

/**
 * One station's OCPP-J session over a WebSocket. Outbound: at most one CALL in flight,
 * the rest queued, each with a timeout and an optional AbortSignal. Inbound: every CALL
 * is handled on its own, never waiting for our outstanding CALL (crossing CALLs are legal).
 */
export class OcppConnection {
  readonly identity: string;
  readonly version: OcppVersion;
  readonly generation: number;
  readonly httpOrigin: string | undefined;
  private readonly ws: WebSocket;
  private readonly context: ConnectionContext;
  private readonly policy: ValidationPolicy;
  private readonly rejected: boolean;
  private readonly log: Logger;
  private readonly queue: OutboundCall[] = [];
  private inFlight: { call: OutboundCall; timer: NodeJS.Timeout; onAbort: () => void; sentAt: number } | undefined;
  private readonly inboundIds = new Set<string>();
  private readonly timedOut: string[] = [];
  private closed = false;
  private replaced = false;
  private alive = true;
  private readonly guard: InboundGuard;
  // Frames received but not handled yet: they wait here while the station is over its rate.
  private readonly inbox: { data: WebSocket.RawData; isBinary: boolean }[] = [];
  private inboxTimer: NodeJS.Timeout | undefined;
  private readonly wake = (): void => this.drainInbox();

  constructor(ws: WebSocket, context: ConnectionContext, own: ConnectionOptions) {
    this.ws = ws;
    this.context = context;
    this.identity = own.identity;
    this.version = context.version;
    this.httpOrigin = own.httpOrigin;
    this.generation = own.generation;
    this.policy = own.policy;
    this.rejected = own.rejected;
    this.log = own.log;
    this.guard = new InboundGuard(context.limits);
    ws.on('message', (data, isBinary) => {
      this.inbox.push({ data, isBinary });
      this.drainInbox();
    });
    ws.on('pong', () => { this.alive = true; });
    ws.on('close', (code, reason) => this.onClose(code, reason));
    ws.on('error', (err) => this.log.warn('websocket error', { err }));
  }

  /**
   * Reads a payload that arrived inside another message (a 2.0.1 request or answer in a 1.6
   * DataTransfer) under this station's validation policy: tolerated issues are recorded as
   * deviations, the refused ones returned.
   */
  judgeEmbedded(action: string, issues: SchemaIssue[]): SchemaIssue[] {
    const verdict = judge(this.policy, issues);
    if (verdict.tolerated.length) this.context.onDeviation(this, action, verdict.tolerated);
    return verdict.refused;
  }

  /** Station CALLs being handled right now (their answers are not sent yet). */
  get handling(): number {
    return this.inboundIds.size;
  }

  /** False once the socket closed or a newer connection for the same identity replaced it. */
  get isActive(): boolean {
    return !this.closed && !this.replaced;
  }

  /** Sends a CALL and resolves with the station's (validated) CALLRESULT payload. */
  call(action: string, payload: Payload, options: CallOptions = {}): Promise<Payload> {
    const issues = this.context.schemas.validate(action, 'req', payload);
    if (issues.length) return Promise.reject(new InvalidOutboundError(`invalid ${action} request: ${issues.map((i) => i.message).join('; ')}`));
    if (!this.isActive) return Promise.reject(new ConnectionClosedError(`${this.identity} is not connected`));
    if (this.rejected && !(action === 'TriggerMessage' && payload.requestedMessage === 'BootNotification')) {
      return Promise.reject(new RpcError('SecurityError', `${this.identity} is Rejected: only TriggerMessage(BootNotification) may be sent to it`));
    }
    if (options.signal?.aborted) return Promise.reject(options.signal.reason as Error);
    return new Promise<Payload>((resolve, reject) => {
      this.queue.push({
        id: randomUUID(),
        action,
        payload,
        timeoutMs: options.timeoutMs ?? this.context.callTimeoutMs,
        signal: options.signal,
        resolve,
        reject,
      });
      this.pump();
    });
  }

  /** Closes the socket (the station usually reconnects); pending calls fail. */
  close(code = 1000, reason = ''): void {
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(code, reason);
  }

  /** Marks this connection as superseded and closes it: nothing it sends changes state any more. */
  replace(): void {
    this.replaced = true;
    this.close(1000, 'replaced by a newer connection');
  }

  /**
   * Once per ping interval (KeepAlive): a socket that sent no pong since the last ping is
   * dropped as half-open, else it is pinged again.
   */
  keepAliveTick(): void {
    // While the station is held to its rate, or waits for the node's turn, its socket is not
    // read, so its pong waits too.
    if (!this.alive && !this.inboxTimer && !this.context.admission.waits(this.wake)) {
      this.log.warn('no pong within the ping interval: dropping half-open connection');
      this.ws.terminate();
      return;
    }
    this.alive = false;
    this.ws.ping();
  }

  private pump(): void {
    if (this.inFlight || this.closed) return;
    const call = this.queue.shift();
    if (!call) return;
    if (call.signal?.aborted) {
      call.reject(call.signal.reason as Error);
      this.pump();
      return;
    }
    const timer = setTimeout(() => {
      this.rememberTimedOut(call.id);
      this.finishOutbound(call.id, 'timeout')?.reject(new CallTimeoutError(call.action, call.timeoutMs));
    }, call.timeoutMs);
    const onAbort = (): void => { this.finishOutbound(call.id, 'closed')?.reject(call.signal?.reason as Error); };
    call.signal?.addEventListener('abort', onAbort, { once: true });
    this.inFlight = { call, timer, onAbort, sentAt: performance.now() };
    this.send(encodeCall(call.id, call.action, call.payload));
  }

  /** Ends the in-flight call with this id and starts the next one; undefined when none matches. */
  private finishOutbound(id: string, outcome: 'result' | 'error' | 'timeout' | 'closed' = 'result'): OutboundCall | undefined {
    if (!this.inFlight || this.inFlight.call.id !== id) return undefined;
    const { call, timer, onAbort, sentAt } = this.inFlight;
    this.context.observer?.outbound(this.version, call.action, (performance.now() - sentAt) / 1000, outcome);
    clearTimeout(timer);
    call.signal?.removeEventListener('abort', onAbort);
    this.inFlight = undefined;
    queueMicrotask(() => this.pump());
    return call;
  }

  private rememberTimedOut(id: string): void {
    this.timedOut.push(id);
    if (this.timedOut.length > LATE_ANSWER_MEMORY) this.timedOut.shift();
  }

  /**
   * Handles what the station sent, in order, at most at its rate and as the node's turns have
   * room (TurnAdmission); reading pauses while it waits for its rate, or with many frames waiting.
   */
  private drainInbox(): void {
    if (this.inboxTimer) return;
    const { admission } = this.context;
    while (this.inbox.length && this.ws.readyState === this.ws.OPEN) {
      if (admission.full) {
        admission.wait(this.wake);
        if (this.inbox.length > WAITING_FRAMES_READ) this.ws.pause();
        return;
      }
      const wait = this.guard.take();
      if (wait > 0) {
        this.ws.pause();
        this.inboxTimer = setTimeout(() => {
          this.inboxTimer = undefined;
          this.drainInbox();
        }, wait);
        return;
      }
      admission.take();
      const { data, isBinary } = this.inbox.shift()!;
      this.onMessage(data, isBinary);
    }
    // Also while closing: the station's close frame must be read for the close to complete.
    if (this.ws.isPaused && this.ws.readyState !== this.ws.CLOSED) this.ws.resume();
  }

  /** A message that breaks the protocol: counted, and the station is cut off past its limit. */
  private badMessage(): void {
    if (!this.guard.badMessage() || this.closed) return;
    this.log.warn('too many malformed or invalid messages: closing the connection', { limitPerMinute: this.context.limits.badMessagesPerMinute });
    this.close(1008, 'too many malformed or invalid messages');
  }

  private onMessage(data: WebSocket.RawData, isBinary: boolean): void {
    if (isBinary) {
      this.sendError('-1', 'RpcFrameworkError', 'OCPP-J messages are text frames');
      this.badMessage();
      return;
    }
    const text = data.toString();
    if (this.context.frames?.wants(this.identity)) this.context.frames.record(this.identity, 'in', text);
    this.log.debug('received', { frame: text.length > 2048 ? `${text.slice(0, 2048)}…` : text });
    let frame: Frame;
    try {
      frame = decodeFrame(text);
    } catch (err) {
      if (!(err instanceof FrameError)) throw err;
      // Never answer what looked like a CALLRESULT/CALLERROR: that could loop forever.
      if (err.isResponse) this.log.warn('dropped malformed response', { reason: err.message });
      else this.sendError(err.id ?? '-1', err.kind, err.message);
      this.badMessage();
      return;
    }
    switch (frame.type) {
      case CALL:
        void this.onCall(frame.id, frame.action, frame.payload);
        return;
      case CALLRESULT:
      case CALLERROR:
        this.onResponse(frame);
        return;
      default:
        // 1.6 ignores unknown message types; 2.0.1 answers them.
        if (this.version === 'ocpp1.6') this.log.warn('ignored unknown message type', { messageType: frame.messageType });
        else this.sendError(frame.id ?? '-1', 'MessageTypeNotSupported', `message type ${String(frame.messageType)} is not supported`);
        this.badMessage();
    }
  }

  private onResponse(frame: Extract<Frame, { type: typeof CALLRESULT | typeof CALLERROR }>): void {
    const pending = this.inFlight?.call;
    if (!pending || pending.id !== frame.id) {
      const late = this.timedOut.includes(frame.id);
      this.log.warn(late ? 'dropped late answer to a timed-out call' : 'dropped answer to an unknown call', { id: frame.id });
      if (!late) this.badMessage();
      return;
    }
    this.finishOutbound(frame.id, frame.type === CALLERROR ? 'error' : 'result');
    if (frame.type === CALLERROR) {
      pending.reject(new RpcError(kindOfCode(frame.code), frame.description || frame.code, { ...frame.details, code: frame.code }));
      return;
    }
    const verdict = judge(this.policy, this.context.schemas.validate(pending.action, 'conf', frame.payload));
    if (verdict.refused.length) {
      const first = verdict.refused[0]!;
      pending.reject(new RpcError(errorKindOf(first), `station answered ${pending.action} with an invalid payload: ${first.message}`));
      return;
    }
    if (verdict.tolerated.length) this.context.onDeviation(this, `${pending.action}.conf`, verdict.tolerated);
    pending.resolve(frame.payload);
  }

  private async onCall(id: string, action: string, payload: Payload): Promise<void> {
    if (this.inboundIds.has(id)) {
      this.refuseInvalid(id, action, 'RpcFrameworkError', `message id ${id} is already being handled`);
      return;
    }
    const { schemas, handledActions } = this.context;
    if (!schemas.actions.has(action)) {
      this.refuseInvalid(id, action, 'NotImplemented', `unknown action ${action}`);
      return;
    }
    if (!handledActions.has(action)) {
      this.refuseInvalid(id, action, 'NotSupported', `${action} is not supported by this central system`);
      return;
    }
    const verdict = judge(this.policy, schemas.validate(action, 'req', payload));
    if (verdict.refused.length) {
      const first = verdict.refused[0]!;
      this.refuseInvalid(id, action, errorKindOf(first), first.message, { issues: verdict.refused.map((i) => i.message) });
      return;
    }
    if (verdict.tolerated.length) this.context.onDeviation(this, action, verdict.tolerated);

    this.inboundIds.add(id);
    try {
      const { response, after } = await this.context.handler(action, payload, this);
      const issues = schemas.validate(action, 'conf', response);
      if (issues.length) throw new Error(`our ${action} response is invalid: ${issues.map((i) => i.message).join('; ')}`);
      this.send(encodeResult(id, response));
      this.context.observer?.inbound(this.version, action, 'result');
      if (after) {
        try {
          after();
        } catch (err) {
          this.log.error('work after an answer failed', { action, id, err });
        }
      }
    } catch (err) {
      if (err instanceof RpcError) {
        this.refuse(id, action, err.kind, err.message, err.details);
      } else if (this.context.noErrorOnInternalFailure.has(action)) {
        this.context.observer?.inbound(this.version, action, 'unanswered');
        this.log.error('could not process a transaction message; left unanswered so the station retries', { action, id, err });
      } else {
        this.log.error('handler failed', { action, id, err });
        this.refuse(id, action, 'InternalError', 'the central system could not process this message');
      }
    } finally {
      this.inboundIds.delete(id);
    }
  }

  /** Refuses a CALL that breaks the protocol (not a business refusal): it counts as a bad message. */
  private refuseInvalid(id: string, action: string, kind: RpcError['kind'], description: string, details: Payload = {}): void {
    this.refuse(id, action, kind, description, details);
    this.badMessage();
  }

  /** Answers a station's CALL with a CALLERROR (and counts it). */
  private refuse(id: string, action: string, kind: RpcError['kind'], description: string, details: Payload = {}): void {
    this.sendError(id, kind, description, details);
    this.context.observer?.inbound(this.version, action, 'error', codeFor(this.version, kind));
  }

  private sendError(id: string, kind: RpcError['kind'], description: string, details: Payload = {}): void {
    this.send(encodeError(id, codeFor(this.version, kind), description, details));
  }

  private send(text: string): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.context.frames?.wants(this.identity)) this.context.frames.record(this.identity, 'out', text);
    this.log.debug('sent', { frame: text.length > 2048 ? `${text.slice(0, 2048)}…` : text });
    this.ws.send(text);
  }

  private onClose(code: number, reason: Buffer): void {
    this.closed = true;
    clearTimeout(this.inboxTimer);
    this.context.admission.forget(this.wake);
    this.inbox.length = 0;
    const err = new ConnectionClosedError(`connection to ${this.identity} closed`);
    if (this.inFlight) this.finishOutbound(this.inFlight.call.id, 'closed')?.reject(err);
    for (const call of this.queue.splice(0)) call.reject(err);
    this.context.onClosed(this, code, reason);
  }
}
