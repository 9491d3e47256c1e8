import type {
  Store_ConfigurationAttribute as ConfigurationAttribute, Store_ConfigurationSnapshot as ConfigurationSnapshot, Store_ConfigurationVariable as ConfigurationVariable,
} from '../proto/types.ts';

import { REDACTED, isSecretVariable } from './secrets.ts';

export type { ConfigurationAttribute, ConfigurationSnapshot, ConfigurationVariable };

/** Which setting: a 1.6 configuration key (no component), or a 2.0.1 component's variable. */
export interface VariableRef {
  component?: string;
  componentInstance?: string;
  evseId?: number;
  connectorId?: number;
  variable: string;
  variableInstance?: string;
}

/** A variable as the station reported it, with what is not known left out. */
export function newVariable(ref: VariableRef, attributes: Partial<ConfigurationAttribute>[], characteristicsJson = ''): ConfigurationVariable {
  return {
    component: ref.component ?? '', componentInstance: ref.componentInstance ?? '', evseId: ref.evseId ?? 0, connectorId: ref.connectorId ?? 0,
    variable: ref.variable, variableInstance: ref.variableInstance ?? '',
    attributes: attributes.map((a) => ({ type: a.type ?? 'Actual', value: a.value ?? '', mutability: a.mutability ?? '', persistent: a.persistent ?? false, constant: a.constant ?? false })),
    characteristicsJson, rebootRequired: false,
  };
}

/** One readable name per variable: `HeartbeatInterval` (1.6), `OCPPCommCtrlr/HeartbeatInterval`, `EVSE[evse 1]/Power`. */
export function variableName(v: VariableRef): string {
  const at = [v.evseId ? `evse ${v.evseId}` : '', v.connectorId ? `connector ${v.connectorId}` : ''].filter(Boolean).join(', ');
  const component = v.component ? `${v.component}${v.componentInstance ? `:${v.componentInstance}` : ''}${at ? `[${at}]` : ''}/` : '';
  return `${component}${v.variable}${v.variableInstance ? `:${v.variableInstance}` : ''}`;
}

function sameVariable(a: VariableRef, b: VariableRef): boolean {
  return variableName(a) === variableName(b);
}

/** The value the station uses now (its Actual attribute). */
export function actualValue(v: ConfigurationVariable): string | undefined {
  return v.attributes.find((a) => a.type === 'Actual')?.value;
}

/** One NotifyReport (2.0.1): the request it answers, whether more parts follow, its variables. */
export interface ReportPart {
  requestId: number;
  tbc: boolean;
  variables: ConfigurationVariable[];
}

/** The variables as they may be kept: a credential's value is never stored. */
export function withoutSecrets(variables: ConfigurationVariable[]): ConfigurationVariable[] {
  return variables.map((v) => (isSecretVariable(v.variable) ? { ...v, attributes: v.attributes.map((a) => ({ ...a, value: a.value && REDACTED })) } : v));
}

/**
 * The configuration after a change the station accepted, as a snapshot of its own (taken at
 * `at`, source Change): the variable's Actual value is the new one, or, when it takes effect
 * only after a reboot, its Target value (Actual stays what the station still uses). A variable
 * the snapshot did not list is added.
 */
export function withChange(snapshot: ConfigurationSnapshot, ref: VariableRef, value: string, rebootRequired: boolean, at: string): ConfigurationSnapshot {
  const next: ConfigurationSnapshot = { ...structuredClone(snapshot), takenAt: at, source: 'Change' };
  let variable = next.variables.find((v) => sameVariable(v, ref));
  if (!variable) {
    variable = newVariable(ref, []);
    next.variables.push(variable);
  }
  const type = rebootRequired ? 'Target' : 'Actual';
  const kept = isSecretVariable(ref.variable) ? REDACTED : value;
  const attribute = variable.attributes.find((a) => a.type === type);
  if (attribute) attribute.value = kept;
  else variable.attributes.push({ type, value: kept, mutability: '', persistent: false, constant: false });
  variable.rebootRequired = rebootRequired;
  return next;
}

/** The variables whose name, component or value contains `text` (any case). */
export function searchVariables(snapshot: ConfigurationSnapshot, text: string): ConfigurationVariable[] {
  const needle = text.toLowerCase();
  return snapshot.variables.filter((v) => variableName(v).toLowerCase().includes(needle) || v.attributes.some((a) => a.value.toLowerCase().includes(needle)));
}

export interface VariableDifference {
  name: string;
  /** Absent: the variable was not in that snapshot. */
  before?: string;
  after?: string;
}

/** The value in use, and the one it gets after the station reboots when a change waits for that. */
function shownValue(v: ConfigurationVariable): string {
  const target = v.rebootRequired ? v.attributes.find((a) => a.type === 'Target')?.value : undefined;
  return `${actualValue(v) ?? ''}${target !== undefined ? ` (${target} after a reboot)` : ''}`;
}

/** What differs between two snapshots: variables added, removed, with another value, or one waiting for a reboot. */
export function diffSnapshots(before: ConfigurationSnapshot, after: ConfigurationSnapshot): VariableDifference[] {
  const values = (s: ConfigurationSnapshot) => new Map(s.variables.map((v) => [variableName(v), shownValue(v)] as const));
  const a = values(before);
  const b = values(after);
  const out: VariableDifference[] = [];
  for (const name of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const was = a.get(name);
    const is = b.get(name);
    if (was === is) continue;
    out.push({ name, ...(was !== undefined ? { before: was } : {}), ...(is !== undefined ? { after: is } : {}) });
  }
  return out;
}
