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

/**
 * The payload as it may be kept: credentials replaced by REDACTED, everything else as sent. A
 * secret setting's value is found by its name wherever it travels (ChangeConfiguration,
 * GetConfiguration answers, SetVariables, GetVariables answers, NotifyReport).
 */
export function redactSecrets(action: string, payload: object): object {
  return redactFields(payload, action === 'SetNetworkProfile' ? NETWORK_PROFILE_FIELDS : SECRET_FIELDS) as object;
}

function redactFields(value: unknown, secret: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((v) => redactFields(v, secret));
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  const named = typeof record.key === 'string' ? record.key : (record.variable as { name?: unknown } | undefined)?.name;
  const secretSetting = typeof named === 'string' && isSecretVariable(named);
  return Object.fromEntries(Object.entries(record).map(([k, v]) => {
    if (secretSetting && (k === 'value' || k === 'attributeValue') && typeof v === 'string') return [k, REDACTED];
    if (secretSetting && k === 'variableAttribute' && Array.isArray(v)) return [k, v.map((a) => ({ ...(a as object), ...(typeof (a as { value?: unknown }).value === 'string' ? { value: REDACTED } : {}) }))];
    return [k, secret.has(k) && typeof v === 'string' ? REDACTED : redactFields(v, secret)];
  }));
}
