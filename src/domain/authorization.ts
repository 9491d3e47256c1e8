import type { AuthorizationStatus, ChargePointState } from './model.ts';
import { sessionOfIdTag } from './sessions.ts';

export interface AuthorizationPolicy {
  /** Accept idTags that are not on the station's list (useful for open test setups). */
  acceptUnknownIdTags: boolean;
}

export interface AuthorizationDecision {
  status: AuthorizationStatus;
  expiryDate?: string;
  parentIdTag?: string;
}

/** Decides an idTag/idToken against the station's authorization list. */
export function authorize(state: ChargePointState, idTag: string, policy: AuthorizationPolicy, now: Date): AuthorizationDecision {
  const entry = Object.values(state.authList).find((e) => e.authData?.idTag === idTag);
  const info = entry?.authData?.idTagInfo;
  // A Plug & Charge session authorizes its contract's eMAID without a local list entry.
  if (!info && sessionOfIdTag(state, idTag)?.contract) return { status: 'Accepted' };
  if (!info) return { status: policy.acceptUnknownIdTags ? 'Accepted' : 'Invalid' };
  if (info.expiryDate && new Date(info.expiryDate) <= now) return { status: 'Expired', expiryDate: info.expiryDate };
  return {
    status: (info.status || 'Accepted') as AuthorizationStatus,
    ...(info.expiryDate ? { expiryDate: info.expiryDate } : {}),
    ...(info.parentIdTag ? { parentIdTag: info.parentIdTag } : {}),
  };
}
