import type { ValidationPolicy } from './validation-policy.ts';
import type { OcppVersion } from './version.ts';

/**
 * OCPP security profiles: 0 none (development only), 1 basic auth, 2 TLS + basic auth,
 * 3 mutual TLS (the client certificate's CN is the identity).
 */
export type SecurityProfile = 0 | 1 | 2 | 3;

export type RegistrationStatus = 'Accepted' | 'Pending' | 'Rejected';

/** What the central system knows about a station before it connects. */
export interface StationPolicy {
  identity: string;
  securityProfile: SecurityProfile;
  versions: readonly OcppVersion[];
  validation: ValidationPolicy;
  /** The answer to its BootNotification. */
  registration: RegistrationStatus;
  /** Salted hashes of the accepted basic-auth passwords (profiles 1 and 2). */
  passwordHashes: readonly string[];
}

/** Looks up stations by identity; undefined means "not known here". */
export interface StationDirectory {
  lookup(identity: string): StationPolicy | undefined;
  /** True when unknown identities are let in (open registration). */
  readonly openRegistration: boolean;
  /** Whether the identity is one of the configured stations. */
  isListed(identity: string): boolean;
}

export interface DirectoryOptions {
  stations: StationPolicy[];
  /** When set, unknown identities connect with this policy (profile 0). */
  openRegistrationDefaults?: Omit<StationPolicy, 'identity' | 'passwordHashes' | 'securityProfile'>;
}

export function createStationDirectory(options: DirectoryOptions): StationDirectory {
  const byIdentity = new Map(options.stations.map((s) => [s.identity, s]));
  const open = options.openRegistrationDefaults;
  return {
    openRegistration: open !== undefined,
    isListed: (identity) => byIdentity.has(identity),
    lookup(identity) {
      const known = byIdentity.get(identity);
      if (known) return known;
      if (!open) return undefined;
      return { ...open, identity, securityProfile: 0, passwordHashes: [] };
    },
  };
}

// 2.0.1 identities: at most 48 characters and no ':' (it separates basic-auth fields);
// no control characters, and never '.' or '..' (they would read as path steps).
export const MAX_IDENTITY_LENGTH = 48;

export function identityProblem(identity: string): string | undefined {
  if (identity.length === 0) return 'identity is empty';
  if ([...identity].length > MAX_IDENTITY_LENGTH) return `identity is longer than ${MAX_IDENTITY_LENGTH} characters`;
  if (identity.includes(':')) return "identity contains ':'";
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(identity)) return 'identity contains control characters';
  if (identity === '.' || identity === '..') return 'identity is a path step';
  return undefined;
}
