import type { OcppVersion } from './version.ts';
import type { OcppConnection } from './connection.ts';

/**
 * The live connection of each station (one per identity; a new one replaces the old). The
 * OCPP server writes it; whatever sends to stations or asks who is connected reads it, so
 * those parts can be made before the server that fills it.
 */
export class StationConnections {
  private readonly live = new Map<string, OcppConnection>();

  get(identity: string): OcppConnection | undefined {
    return this.live.get(identity);
  }

  /** Makes `connection` the station's live one; returns the one it replaces. */
  set(connection: OcppConnection): OcppConnection | undefined {
    const previous = this.live.get(connection.identity);
    this.live.set(connection.identity, connection);
    return previous;
  }

  /** Forgets `connection` unless a newer one of the same station replaced it. */
  remove(connection: OcppConnection): void {
    if (this.live.get(connection.identity) === connection) this.live.delete(connection.identity);
  }

  identities(): string[] {
    return [...this.live.keys()];
  }

  all(): OcppConnection[] {
    return [...this.live.values()];
  }

  byVersion(): Record<OcppVersion, number> {
    const out: Record<OcppVersion, number> = { 'ocpp1.6': 0, 'ocpp2.0.1': 0 };
    for (const c of this.live.values()) out[c.version]++;
    return out;
  }
}
