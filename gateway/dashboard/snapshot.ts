import type { ChargePointService } from '../../src/domain/charge-point-service.ts';
import type { StationCommands } from '../../src/ocpp/station-commands.ts';

/** What the dashboard shows, pushed every second over Server-Sent Events. */
export interface DashboardSnapshot {
  at: string;
  stations: {
    identity: string;
    connected: boolean;
    version: string;
    connectors: { id: number; status: string; transaction?: number }[];
    sessions: { id: string; connectorId: number; state: string; consumer: string; energyWh: number; currentA: number; voltageV: number; meterWh: number; meterTime: string }[];
  }[];
}

export async function dashboardSnapshot(service: ChargePointService, commands: StationCommands): Promise<DashboardSnapshot> {
  const states = await Promise.all(service.identities().sort().map((id) => service.state(id)));
  return {
    at: new Date().toISOString(),
    stations: states.filter((s) => s !== undefined).map((s) => ({
      identity: s.id,
      connected: commands.isConnected(s.id),
      version: s.ocppVersion,
      connectors: Object.values(s.connectors).filter((c) => c.id > 0).map((c) => ({ id: c.id, status: c.status, ...(c.currentTransaction ? { transaction: c.currentTransaction } : {}) })),
      sessions: Object.values(s.sessions).map((session) => {
        const tx = s.transactions[session.transactionId];
        return {
          id: session.id, connectorId: session.connectorId, state: session.state, consumer: session.consumerPublicKey,
          energyWh: tx ? Math.max(0, tx.lastMeter - tx.startMeter) : 0,
          currentA: tx?.progress?.currentOffered ?? 0, voltageV: tx?.progress?.voltageOffered ?? 0,
          meterWh: tx?.lastMeter ?? 0, meterTime: tx?.lastMeterTime ?? '',
        };
      }),
    })),
  };
}

/**
 * One snapshot a second, however many dashboards are open: each snapshot copies every
 * station's state, so subscribers share it instead of building their own.
 */
export function sharedSnapshot(service: ChargePointService, commands: StationCommands, maxAgeMs = 900): () => Promise<DashboardSnapshot> {
  let latest: { at: number; value: Promise<DashboardSnapshot> } | undefined;
  return () => {
    const now = Date.now();
    if (!latest || now - latest.at > maxAgeMs) latest = { at: now, value: dashboardSnapshot(service, commands) };
    return latest.value;
  };
}
