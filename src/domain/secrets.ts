// What an operator sends a station may carry the station's own credentials (its basic-auth
// password, a VPN or APN password). Records keep that it was sent, never the secret itself.

/** How a secret appears in records. */
export const REDACTED = '***';

// 1.6 AuthorizationKey (security whitepaper) and 2.0.1 SecurityCtrlr.BasicAuthPassword: write-only.
const SECRET_VARIABLES = new Set(['AuthorizationKey', 'BasicAuthPassword']);
// Fields that hold a credential in any payload, and in SetNetworkProfile also the VPN's shared
// secret (vpn.key; elsewhere a "key" is a configuration key's name).
const SECRET_FIELDS = new Set(['password', 'apnPassword', 'authorizationKey', 'basicAuthPassword']);
const NETWORK_PROFILE_FIELDS = new Set([...SECRET_FIELDS, 'key']);

/** A 1.6 configuration key or 2.0.1 variable whose value is a credential. */
export function isSecretVariable(name: string): boolean {
  return SECRET_VARIABLES.has(name);
}

/** The payload as it may be kept: credentials replaced by REDACTED, everything else as sent. */
export function redactSecrets(action: string, payload: object): object {
  if (action === 'ChangeConfiguration') {
    const p = payload as { key?: unknown; value?: unknown };
    return typeof p.key === 'string' && isSecretVariable(p.key) ? { ...p, value: REDACTED } : payload;
  }
  if (action === 'SetVariables') {
    const p = payload as { setVariableData?: { variable?: { name?: string }; attributeValue?: string }[] };
    if (!Array.isArray(p.setVariableData)) return payload;
    return { ...p, setVariableData: p.setVariableData.map((d) => (isSecretVariable(d.variable?.name ?? '') ? { ...d, attributeValue: REDACTED } : d)) };
  }
  return redactFields(payload, action === 'SetNetworkProfile' ? NETWORK_PROFILE_FIELDS : SECRET_FIELDS) as object;
}

function redactFields(value: unknown, secret: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((v) => redactFields(v, secret));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, secret.has(k) && typeof v === 'string' ? REDACTED : redactFields(v, secret)]));
}
