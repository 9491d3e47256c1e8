/** One event of a 2.0.1 station's NotifyEvent, as an operator reads it. */
export interface DeviceEvent {
  eventId: number;
  timestamp: string;
  trigger: string;
  actualValue: string;
  component: string;
  variable: string;
  evseId?: number;
  eventNotificationType: string;
  cleared?: boolean;
  techCode?: string;
  techInfo?: string;
  variableMonitoringId?: number;
  receivedAt: string;
}

interface EventData {
  eventId?: unknown; timestamp?: unknown; trigger?: unknown; actualValue?: unknown; eventNotificationType?: unknown; cleared?: unknown;
  techCode?: unknown; techInfo?: unknown; variableMonitoringId?: unknown;
  component?: { name?: unknown; evse?: { id?: unknown } }; variable?: { name?: unknown };
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * The events of stored NotifyEvent messages (as received, oldest first), newest first, those of
 * a component or variable when named (case-insensitive), at most `limit`.
 */
export function deviceEvents(reports: { action: string; payloadJson: string; receivedAt: string }[], f: { component?: string; variable?: string; limit: number }): DeviceEvent[] {
  const out: DeviceEvent[] = [];
  const is = (wanted: string | undefined, actual: string) => !wanted || wanted.toLowerCase() === actual.toLowerCase();
  for (const r of [...reports].reverse()) {
    if (r.action !== 'NotifyEvent') continue;
    let data: EventData[];
    try {
      data = (JSON.parse(r.payloadJson) as { eventData?: EventData[] }).eventData ?? [];
    } catch {
      continue;
    }
    for (const e of [...data].reverse()) {
      const component = text(e.component?.name);
      const variable = text(e.variable?.name);
      if (!is(f.component, component) || !is(f.variable, variable)) continue;
      out.push({
        eventId: Number(e.eventId), timestamp: text(e.timestamp), trigger: text(e.trigger), actualValue: text(e.actualValue), component, variable,
        ...(typeof e.component?.evse?.id === 'number' ? { evseId: e.component.evse.id } : {}),
        eventNotificationType: text(e.eventNotificationType),
        ...(typeof e.cleared === 'boolean' ? { cleared: e.cleared } : {}),
        ...(typeof e.techCode === 'string' ? { techCode: e.techCode } : {}),
        ...(typeof e.techInfo === 'string' ? { techInfo: e.techInfo } : {}),
        ...(typeof e.variableMonitoringId === 'number' ? { variableMonitoringId: e.variableMonitoringId } : {}),
        receivedAt: r.receivedAt,
      });
      if (out.length >= f.limit) return out;
    }
  }
  return out;
}
