import type { ChargePointService } from '../../src/domain/charge-point-service.ts';
import { energySoFarWh } from '../../src/domain/transactions.ts';
import type { StationLinks } from '../../src/app/station-link.ts';
import type { Store_Debt as Debt } from '../../src/proto/types.ts';

/** The money side, where a chain is configured: what waits on chain and what is owed. */
export interface MoneySource {
  openPayouts(): Promise<unknown[]>;
  debts(): Promise<Debt[]>;
  /** An amount in smallest units as a person reads it ("0.5 PEAQ"). */
  format(amount: bigint): string;
}

/** What the dashboard shows, pushed every second over Server-Sent Events. */
export interface DashboardSnapshot {
  at: string;
  stations: {
    identity: string;
    connected: boolean;
    lastSeenAt: string;
    version: string;
    connectors: { id: number; status: string; transaction?: number }[];
    sessions: { id: string; connectorId: number; state: string; consumer: string; energyWh: number; currentA: number; voltageV: number; meterWh: number; meterTime: string }[];
  }[];
  money?: { openPayouts: number; unpaid: { station: string; session: string; consumer: string; amount: string; amountText: string }[] };
}

export async function dashboardSnapshot(service: ChargePointService, commands: StationLinks, money?: MoneySource): Promise<DashboardSnapshot> {
  const states = await Promise.all(service.identities().sort().map((id) => service.state(id)));
  const debts = money ? await money.debts() : [];
  return {
    at: new Date().toISOString(),
    ...(money ? {
      money: {
        openPayouts: (await money.openPayouts()).length,
        unpaid: debts.map((d) => ({ station: d.station, session: d.sessionId, consumer: d.consumerKeyHex, amount: d.amount, amountText: money.format(BigInt(d.amount)) })),
      },
    } : {}),
    stations: states.filter((s) => s !== undefined).map((s) => ({
      identity: s.id,
      connected: commands.isConnected(s.id),
      lastSeenAt: s.lastSeenAt,
      version: s.ocppVersion,
      connectors: Object.values(s.connectors).filter((c) => c.id > 0).map((c) => ({ id: c.id, status: c.status, ...(c.currentTransaction ? { transaction: c.currentTransaction } : {}) })),
      sessions: Object.values(s.sessions).map((session) => {
        const tx = s.transactions[session.transactionId];
        return {
          id: session.id, connectorId: session.connectorId, state: session.state, consumer: session.consumerPublicKey,
          energyWh: tx ? energySoFarWh(tx) : 0,
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
export function sharedSnapshot(service: ChargePointService, commands: StationLinks, money?: MoneySource, maxAgeMs = 900): () => Promise<DashboardSnapshot> {
  let latest: { at: number; value: Promise<DashboardSnapshot> } | undefined;
  return () => {
    const now = Date.now();
    if (!latest || now - latest.at > maxAgeMs) latest = { at: now, value: dashboardSnapshot(service, commands, money) };
    return latest.value;
  };
}
