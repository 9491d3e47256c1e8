import { CodedError } from '../coded-error.ts';
import type { Store_OperatorTag as OperatorTag } from '../proto/types.ts';

export type { OperatorTag };

export const TAG_STATUSES = ['Accepted', 'Blocked', 'Expired', 'Invalid'] as const satisfies readonly OperatorTag['status'][];

/** What an operator says about a card; the rest keeps its value (or its default for a new one). */
export interface TagChange {
  status?: OperatorTag['status'];
  expiryDate?: string;
  parentIdTag?: string;
  note?: string;
}

/** A card no station would take; `field` names what is wrong. */
export class InvalidTagError extends CodedError<'InvalidRequest'> {
  readonly field: string;
  constructor(field: string, message: string) {
    super('InvalidRequest', message);
    this.field = field;
  }
}

const CONSUMER_TAG = /^C[A-Z2-7]{19}$/;
// OCPP 1.6 IdToken is CiString20 (2.0.1 idToken is longer, but a tag goes to stations of both).
const MAX_ID_TAG = 20;

/** The card after the change, checked: what no station would take is refused here, naming the field. */
export function changedTag(idTag: string, before: OperatorTag | undefined, change: TagChange, now: Date): OperatorTag {
  if (!idTag || idTag.length > MAX_ID_TAG || /[\s]/.test(idTag)) throw new InvalidTagError('idTag', `idTag: 1 to ${MAX_ID_TAG} characters without spaces`);
  // The consumers' tags look like this (consumer-ids.ts): a card must never stand for one.
  if (CONSUMER_TAG.test(idTag.toUpperCase())) throw new InvalidTagError('idTag', 'idTag: "C" and 19 base32 characters is the form of consumers\' tags; choose another');
  const status = change.status ?? before?.status ?? 'Accepted';
  if (!(TAG_STATUSES as readonly string[]).includes(status)) throw new InvalidTagError('status', `status: one of ${TAG_STATUSES.join(', ')}`);
  const expiryDate = change.expiryDate ?? before?.expiryDate ?? '';
  if (expiryDate && Number.isNaN(Date.parse(expiryDate))) throw new InvalidTagError('expiryDate', 'expiryDate: an ISO 8601 time');
  const parentIdTag = change.parentIdTag ?? before?.parentIdTag ?? '';
  if (parentIdTag.length > MAX_ID_TAG) throw new InvalidTagError('parentIdTag', `parentIdTag: at most ${MAX_ID_TAG} characters`);
  return {
    idTag, status, expiryDate: expiryDate ? new Date(expiryDate).toISOString() : '', parentIdTag,
    note: change.note ?? before?.note ?? '', updatedAt: now.toISOString(),
  };
}
