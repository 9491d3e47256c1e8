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
      link = Object.create(connection.version === 'ocpp1.6' ? LINK_16 : LINK_201, { connection: { value: connection } }) as StationLink;
      this.links.set(connection, link);
    }
    return link;
  }
}

/**
 * A version's commands as methods of one prototype, shared by every station of that version:
 * a link is then one small object holding its connection (seen: a closure per command and
 * station, about 5 KB of every idle station's memory). A station's CALLERROR (or unusable
 * answer) becomes a 'Refused' StationCallError.
 */
function linkPrototype(commands: VersionCommands): object {
  const proto: Record<string, (this: { connection: OcppConnection }, ...args: unknown[]) => Promise<unknown>> = {};
  for (const [name, command] of Object.entries(commands) as [string, (c: OcppConnection, ...args: unknown[]) => Promise<unknown>][]) {
    proto[name] = function (...args) {
      return command(this.connection, ...args).catch((err: unknown) => {
        throw err instanceof RpcError ? new StationCallError('Refused', `${err.kind}: ${err.message}`, { cause: err }) : err;
      });
    };
  }
  return proto;
}

const LINK_16 = linkPrototype(commands16);
const LINK_201 = linkPrototype(commands201);
