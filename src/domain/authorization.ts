import type { AuthorizationStatus, ChargePointState } from './model.ts';
import { sessionOfIdTag } from './sessions.ts';
import type { OperatorTag } from './tags.ts';

export interface AuthorizationPolicy {
  /** Accept idTags that are not on the station's list (useful for open test setups). */
  acceptUnknownIdTags: boolean;
  /** The operator's card of this idTag, if there is one (an RFID card, good on every station). */
  operatorTag?: (idTag: string) => OperatorTag | undefined;
}

export interface AuthorizationDecision {
  status: AuthorizationStatus;
  expiryDate?: string;
  parentIdTag?: string;
}

/** Records that the central system sends this idTag in a remote start (an operator's command). */
export function grantRemoteStart(state: ChargePointState, idTag: string, until: Date): void {
  state.remoteStartGrants[idTag] = until.toISOString();
}

/** A transaction started with a granted idTag: the grant is used up (and old ones go). */
export function useGrant(state: ChargePointState, idTag: string, now: Date): void {
  delete state.remoteStartGrants[idTag];
  for (const [tag, until] of Object.entries(state.remoteStartGrants)) if (Date.parse(until) <= now.getTime()) delete state.remoteStartGrants[tag];
}

/** Whether an idTag is a consumer's (the gateway put it on the station's list for a session). */
export function isConsumerTag(state: ChargePointState, idTag: string): boolean {
  return Boolean(state.authList[idTag]?.publicKey);
}

/** How a station answers for an operator's card now. */
export function tagDecision(tag: OperatorTag, now: Date): AuthorizationDecision {
  if (tag.expiryDate && Date.parse(tag.expiryDate) <= now.getTime()) return { status: 'Expired', expiryDate: tag.expiryDate };
  return { status: tag.status, ...(tag.expiryDate ? { expiryDate: tag.expiryDate } : {}), ...(tag.parentIdTag ? { parentIdTag: tag.parentIdTag } : {}) };
}

/** Decides an idTag/idToken against the station's authorization list. */
export function authorize(state: ChargePointState, idTag: string, policy: AuthorizationPolicy, now: Date): AuthorizationDecision {
  const entry = Object.values(state.authList).find((e) => e.authData?.idTag === idTag);
  const info = entry?.authData?.idTagInfo;
  // A Plug & Charge session authorizes its contract's eMAID without a local list entry.
  if (!info && sessionOfIdTag(state, idTag)?.contract) return { status: 'Accepted' };
  // An operator's card: as the operator set it, on every station.
  const card = info ? undefined : policy.operatorTag?.(idTag);
  if (card) return tagDecision(card, now);
  // A tag the central system sent in a remote start itself is good for that start.
  const granted = state.remoteStartGrants[idTag];
  if (!info && granted && Date.parse(granted) > now.getTime()) return { status: 'Accepted' };
  if (!info) return { status: policy.acceptUnknownIdTags ? 'Accepted' : 'Invalid' };
  if (info.expiryDate && new Date(info.expiryDate) <= now) return { status: 'Expired', expiryDate: info.expiryDate };
  return {
    status: (info.status || 'Accepted') as AuthorizationStatus,
    ...(info.expiryDate ? { expiryDate: info.expiryDate } : {}),
    ...(info.parentIdTag ? { parentIdTag: info.parentIdTag } : {}),
  };
}
