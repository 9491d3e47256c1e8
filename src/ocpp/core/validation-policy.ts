import type { RpcErrorKind } from './errors.ts';
import type { SchemaIssue } from './schemas.ts';

/**
 * How strictly a station's messages are read. `strict`: every schema issue is refused.
 * `lenient`: issues that leave the message meaningful (over-long strings, unknown values
 * in informational fields, extra properties, an empty list that should have been left out)
 * are recorded as deviations and the message is processed, so transaction data is not lost
 * to a vendor's schema slip.
 */
export type ValidationPolicy = 'strict' | 'lenient';

// Enumerations whose value the gateway only records, never acts on.
const INFORMATIONAL_ENUM =
  /(sampledValue|signedMeterValue|unitOfMeasure|\/reason$|\/triggerReason$|\/chargingState$|\/stoppedReason$|\/errorCode$|\/bootReason$|\/measurand$|\/phase$|\/location$|\/context$)/;

/**
 * Whether a value at this JSON path (array indices may be left out) is an informational
 * enumeration: a lenient station may send any string there, so its type is a string.
 */
export function isInformationalEnumPath(path: string): boolean {
  return INFORMATIONAL_ENUM.test(path);
}

/** True when a lenient station may get away with this issue. */
export function isTolerable(issue: SchemaIssue): boolean {
  switch (issue.keyword) {
    case 'maxLength':
    case 'additionalProperties':
    case 'format':
    case 'multipleOf':
      return true;
    case 'enum':
      return isInformationalEnumPath(issue.path);
    case 'minItems':
      // An empty list where one item is the least: the same as the list left out (seen from
      // real chargers: `childCertificateHashData: []`).
      return issue.limit === 1;
    default:
      return false;
  }
}

/** The CALLERROR kind that describes a schema issue (OCPP-RULES.md, error table). */
export function errorKindOf(issue: SchemaIssue): RpcErrorKind {
  switch (issue.keyword) {
    case 'required':
    case 'minItems':
    case 'maxItems':
    case 'minProperties':
      return 'OccurrenceConstraintViolation';
    case 'type':
      return 'TypeConstraintViolation';
    default:
      return 'PropertyConstraintViolation';
  }
}

export interface PolicyVerdict {
  /** Issues that make the message unusable: answer with a CALLERROR for the first one. */
  refused: SchemaIssue[];
  /** Issues accepted under the lenient policy: record them. */
  tolerated: SchemaIssue[];
}

export function judge(policy: ValidationPolicy, issues: SchemaIssue[]): PolicyVerdict {
  if (policy === 'strict') return { refused: issues, tolerated: [] };
  const refused = issues.filter((i) => !isTolerable(i));
  return { refused, tolerated: refused.length ? [] : issues };
}
