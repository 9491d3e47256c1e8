import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ChargePointService } from '../src/domain/charge-point-service.ts';
import type { OcppObserver } from '../src/ocpp/core/connection.ts';
import type { OcppServer } from '../src/ocpp/core/server.ts';
import type { LevelStore } from '../src/store/level-store.ts';

/** What the metrics read from the running node; filled in as the parts start. */
export interface MetricSources {
  ocpp?: OcppServer;
  service?: ChargePointService;
  store?: LevelStore;
  p2pPeers?: () => number;
  eventsPublished?: () => number;
  chainConnected?: () => boolean;
  settlementRounds?: () => number;
  memoryCompactions?: () => number;
}

export interface GatewayMetrics {
  registry: Registry; observer: OcppObserver; connectionRefused: (reason: string) => void; passwordCheck: (outcome: string) => void;
  reportTruncated: (action: string) => void; reportDropped: () => void;
}

/** The node's Prometheus metrics (prefix cgw_), and the observer the OCPP layer reports to. */
export function createMetrics(sources: MetricSources): GatewayMetrics {
  const registry = new Registry();
  // The standard names (process_cpu_seconds_total, nodejs_heap_size_used_bytes, ...) that
  // existing Node.js dashboards look for.
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'cgw_stations_connected', help: 'Connected charging stations by OCPP version', labelNames: ['version'], registers: [registry],
    collect() {
      for (const [version, n] of Object.entries(sources.ocpp?.connectionsByVersion() ?? {})) this.set({ version }, n);
    },
  });
  const messages = new Counter({ name: 'cgw_ocpp_messages_total', help: 'CALLs received from stations, by action and outcome', labelNames: ['version', 'action', 'outcome'], registers: [registry] });
  const errors = new Counter({ name: 'cgw_ocpp_errors_total', help: 'CALLERRORs sent to stations, by action and code', labelNames: ['version', 'action', 'code'], registers: [registry] });
  const calls = new Histogram({
    name: 'cgw_ocpp_call_duration_seconds', help: 'CALLs to stations until their answer, by action and outcome', labelNames: ['version', 'action', 'outcome'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [registry],
  });
  new Gauge({
    name: 'cgw_schema_deviations', help: 'Schema deviations tolerated under the lenient policy, by action', labelNames: ['action'], registers: [registry],
    collect() {
      this.reset();
      const byAction = new Map<string, number>();
      for (const d of sources.ocpp?.allDeviations() ?? []) byAction.set(d.action, (byAction.get(d.action) ?? 0) + d.count);
      for (const [action, n] of byAction) this.set({ action }, n);
    },
  });
  new Gauge({
    name: 'cgw_sessions', help: 'Active consumer sessions by state', labelNames: ['state'], registers: [registry],
    collect() {
      this.reset();
      for (const [state, n] of Object.entries(sources.service?.sessionCounts() ?? {})) this.set({ state }, n);
    },
  });
  new Gauge({
    name: 'cgw_outbox_backlog', help: 'Signed events waiting to be published', registers: [registry],
    async collect() { this.set(sources.store ? await sources.store.events.outboxSize() : 0); },
  });
  new Gauge({
    name: 'cgw_settlement_backlog', help: 'Finished sessions waiting for settlement on chain', registers: [registry],
    async collect() { this.set(sources.store ? await sources.store.settlements.count('settlements') : 0); },
  });
  new Gauge({
    name: 'cgw_open_payouts', help: 'Payouts approved by the gateway and not yet executed on chain', registers: [registry],
    async collect() { this.set(sources.store ? await sources.store.settlements.count('openPayouts') : 0); },
  });
  // Whether settlement is alive: it goes up every few seconds while the chain is reachable.
  new Counter({
    name: 'cgw_settlement_rounds_total', help: 'Settlement rounds (settle, collect debts, follow payouts) completed on chain since the node started', registers: [registry],
    collect() {
      this.reset();
      this.inc(sources.settlementRounds?.() ?? 0);
    },
  });
  new Gauge({
    name: 'cgw_debts', help: 'Settled sessions whose cost the deposit did not cover, still unpaid', registers: [registry],
    async collect() { this.set(sources.store ? await sources.store.settlements.count('debts') : 0); },
  });
  new Counter({
    name: 'cgw_events_published_total', help: 'Signed events handed to gossipsub since the node started', registers: [registry],
    collect() { this.reset(); this.inc(sources.eventsPublished?.() ?? 0); },
  });
  new Counter({
    name: 'cgw_memory_compactions_total', help: 'Heap compactions run while the node was quiet (memory.idleCompactionSec), each one pause', registers: [registry],
    collect() { this.reset(); this.inc(sources.memoryCompactions?.() ?? 0); },
  });
  new Gauge({ name: 'cgw_p2p_peers', help: 'Connected libp2p peers', registers: [registry], collect() { this.set(sources.p2pPeers?.() ?? 0); } });
  new Gauge({ name: 'cgw_chain_connected', help: '1 when the chain is reachable', registers: [registry], collect() { this.set(sources.chainConnected?.() ? 1 : 0); } });
  const refused = new Counter({ name: 'cgw_ocpp_connections_refused_total', help: 'OCPP sockets closed at once by a connection cap, by cap', labelNames: ['reason'], registers: [registry] });
  new Gauge({
    name: 'cgw_ocpp_sockets', help: 'OCPP sockets open, and those not upgraded yet', labelNames: ['stage'], registers: [registry],
    collect() {
      const counts = sources.ocpp?.socketCounts ?? { total: 0, pending: 0 };
      this.set({ stage: 'open' }, counts.total);
      this.set({ stage: 'pending' }, counts.pending);
    },
  });
  const auth = new Counter({ name: 'cgw_ocpp_basic_auth_total', help: 'Basic-auth checks of station connections, by outcome (ok, wrong, throttled)', labelNames: ['outcome'], registers: [registry] });
  const truncated = new Counter({ name: 'cgw_station_reports_truncated_total', help: 'Station reports over the size cap, kept as their size and hash, by action', labelNames: ['action'], registers: [registry] });
  const dropped = new Counter({ name: 'cgw_station_reports_dropped_total', help: 'Oldest station reports dropped to keep a station within its budget', registers: [registry] });
  return {
    registry,
    reportTruncated: (action) => truncated.inc({ action }),
    reportDropped: () => dropped.inc(),
    connectionRefused: (reason) => refused.inc({ reason }),
    passwordCheck: (outcome) => auth.inc({ outcome }),
    observer: {
      inbound(version, action, outcome, code) {
        messages.inc({ version, action, outcome });
        if (code) errors.inc({ version, action, code });
      },
      outbound(version, action, seconds, outcome) {
        calls.observe({ version, action, outcome }, seconds);
      },
    },
  };
}
