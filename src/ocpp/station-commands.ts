import { StationCallError, type StationLink, type StationLinks } from '../app/station-link.ts';
import type { CallOptions, OcppConnection } from './core/connection.ts';
import { ConnectionClosedError, RpcError } from './core/errors.ts';
import { commands16 } from './v16/commands.ts';
import { commands201 } from './v201/commands.ts';

/** One version's commands: each StationLink command with the connection first (and call options last). */
export type VersionCommands = {
  [K in keyof StationLink]: (c: OcppConnection, ...args: [...Parameters<StationLink[K]>, o?: CallOptions]) => ReturnType<StationLink[K]>;
};

/** The connected stations' links, each speaking its station's negotiated version. */
export class StationCommands implements StationLinks {
  private readonly connectionOf: (identity: string) => OcppConnection | undefined;
  private readonly links = new WeakMap<OcppConnection, StationLink>();

  constructor(connectionOf: (identity: string) => OcppConnection | undefined) {
    this.connectionOf = connectionOf;
  }

  isConnected(identity: string): boolean {
    return this.connectionOf(identity)?.isActive ?? false;
  }

  for(identity: string): StationLink {
    const connection = this.connectionOf(identity);
    if (!connection?.isActive) throw new ConnectionClosedError(`station ${identity} is offline`);
    let link = this.links.get(connection);
    if (!link) {
      link = bind(connection, connection.version === 'ocpp1.6' ? commands16 : commands201);
      this.links.set(connection, link);
    }
    return link;
  }
}

/** The version's commands on one connection; a station's CALLERROR (or unusable answer) becomes a 'Refused' StationCallError. */
function bind(connection: OcppConnection, commands: VersionCommands): StationLink {
  const link: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const [name, command] of Object.entries(commands) as [string, (c: OcppConnection, ...args: unknown[]) => Promise<unknown>][]) {
    link[name] = (...args) => command(connection, ...args).catch((err: unknown) => {
      throw err instanceof RpcError ? new StationCallError('Refused', `${err.kind}: ${err.message}`, { cause: err }) : err;
    });
  }
  return link as unknown as StationLink;
}
