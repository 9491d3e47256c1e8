import type {
  Store_ConfigurationAttribute as ConfigurationAttribute, Store_ConfigurationSnapshot as ConfigurationSnapshot, Store_ConfigurationVariable as ConfigurationVariable,
} from '../proto/types.ts';

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

/**
 * The snapshot after a change the station accepted: the variable's Actual value is the new one
 * (added when the snapshot did not list it), marked when it takes effect only after a reboot.
 */
export function withChange(snapshot: ConfigurationSnapshot, ref: VariableRef, value: string, rebootRequired: boolean): ConfigurationSnapshot {
  const next = structuredClone(snapshot);
  let variable = next.variables.find((v) => sameVariable(v, ref));
  if (!variable) {
    variable = newVariable(ref, []);
    next.variables.push(variable);
  }
  const actual = variable.attributes.find((a) => a.type === 'Actual');
  if (actual) actual.value = value;
  else variable.attributes.push({ type: 'Actual', value, mutability: '', persistent: false, constant: false });
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

/** What differs between two snapshots: variables added, removed, or with another Actual value. */
export function diffSnapshots(before: ConfigurationSnapshot, after: ConfigurationSnapshot): VariableDifference[] {
  const values = (s: ConfigurationSnapshot) => new Map(s.variables.map((v) => [variableName(v), actualValue(v) ?? ''] as const));
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
