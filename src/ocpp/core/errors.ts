import type { OcppVersion } from './version.ts';
import { StationCallError } from '../../app/station-link.ts';

/**
 * What went wrong, independent of the version's spelling. Each version has its own code
 * for most of these (OCPP-RULES.md, error table); `codeFor` picks the negotiated one.
 */
export type RpcErrorKind =
  | 'FormatViolation'
  | 'OccurrenceConstraintViolation'
  | 'TypeConstraintViolation'
  | 'PropertyConstraintViolation'
  | 'RpcFrameworkError'
  | 'ProtocolError'
  | 'MessageTypeNotSupported'
  | 'NotImplemented'
  | 'NotSupported'
  | 'InternalError'
  | 'SecurityError'
  | 'GenericError';

const V16: Record<RpcErrorKind, string> = {
  FormatViolation: 'FormationViolation',
  OccurrenceConstraintViolation: 'OccurenceConstraintViolation',
  TypeConstraintViolation: 'TypeConstraintViolation',
  PropertyConstraintViolation: 'PropertyConstraintViolation',
  // 1.6 has no RpcFrameworkError: an unreadable RPC is a formation violation there.
  RpcFrameworkError: 'FormationViolation',
  ProtocolError: 'ProtocolError',
  // 1.6 ignores unknown message types instead of answering; kept for completeness.
  MessageTypeNotSupported: 'ProtocolError',
  NotImplemented: 'NotImplemented',
  NotSupported: 'NotSupported',
  InternalError: 'InternalError',
  SecurityError: 'SecurityError',
  GenericError: 'GenericError',
};

const V201: Record<RpcErrorKind, string> = {
  FormatViolation: 'FormatViolation',
  OccurrenceConstraintViolation: 'OccurrenceConstraintViolation',
  TypeConstraintViolation: 'TypeConstraintViolation',
  PropertyConstraintViolation: 'PropertyConstraintViolation',
  RpcFrameworkError: 'RpcFrameworkError',
  ProtocolError: 'ProtocolError',
  MessageTypeNotSupported: 'MessageTypeNotSupported',
  NotImplemented: 'NotImplemented',
  NotSupported: 'NotSupported',
  InternalError: 'InternalError',
  SecurityError: 'SecurityError',
  GenericError: 'GenericError',
};

/** The error code to send for `kind` on a connection of `version`. */
export function codeFor(version: OcppVersion, kind: RpcErrorKind): string {
  return (version === 'ocpp1.6' ? V16 : V201)[kind];
}

// Received codes are read in either version's spelling.
const KIND_BY_CODE = new Map<string, RpcErrorKind>([
  ...Object.entries(V201).map(([kind, code]) => [code, kind as RpcErrorKind] as const),
  ['FormationViolation', 'FormatViolation'],
  ['OccurenceConstraintViolation', 'OccurrenceConstraintViolation'],
]);

export function kindOfCode(code: string): RpcErrorKind {
  return KIND_BY_CODE.get(code) ?? 'GenericError';
}

/** An OCPP CALLERROR, raised by a handler or received from a station. */
export class RpcError extends Error {
  readonly kind: RpcErrorKind;
  readonly details: Record<string, unknown>;

  constructor(kind: RpcErrorKind, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'RpcError';
    this.kind = kind;
    this.details = details;
  }
}

/** A CALL we sent did not get an answer in time; the station may still act on it. */
export class CallTimeoutError extends StationCallError {
  constructor(action: string, ms: number) {
    super('Timeout', `${action} got no answer within ${ms} ms`);
  }
}

/** The connection closed (or was replaced) before the call could complete. */
export class ConnectionClosedError extends StationCallError {
  constructor(reason: string) {
    super('StationOffline', reason);
  }
}

/**
 * A message the gateway was about to send fails the official schema (our own check, before
 * anything went out): the request that asked for it was invalid, the station has no part in it.
 */
export class InvalidOutboundError extends StationCallError {
  constructor(message: string) {
    super('InvalidRequest', message);
  }
}
