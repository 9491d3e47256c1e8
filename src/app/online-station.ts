import type { ChargePointService } from '../domain/charge-point-service.ts';
import type { ChargePointState } from '../domain/model.ts';
import { BridgeError } from './bridge-error.ts';
import type { StationLinks } from './station-link.ts';

/** The station's state, refused as UnknownStation when it was never seen. */
export async function knownStation(service: ChargePointService, identity: string): Promise<ChargePointState> {
  const state = await service.state(identity);
  if (!state) throw new BridgeError('UnknownStation', `unknown station ${identity}`);
  return state;
}

/** The state of a station that is known and connected now (UnknownStation, StationOffline otherwise). */
export async function onlineStation(service: ChargePointService, commands: StationLinks, identity: string): Promise<ChargePointState> {
  const state = await knownStation(service, identity);
  if (!commands.isConnected(identity)) throw new BridgeError('StationOffline', `station ${identity} is offline`);
  return state;
}
