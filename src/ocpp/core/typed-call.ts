import { InvalidOutboundError } from './errors.ts';
import type { CallOptions, OcppConnection } from './connection.ts';
import type { Payload } from './frame.ts';
import type { OcppVersion } from './version.ts';

/** Request and response payload types by action (a version's generated action map). */
export type CallMap<M> = { [A in keyof M]: { req: object; conf: object } };

/**
 * Sends a CALL whose payload and result are typed by the version's call map. The payloads
 * are still checked against the official schemas at run time (outbound strictly; the
 * station's answer by its validation policy), so the types describe what was validated.
 */
export async function typedCall<M extends CallMap<M>, A extends keyof M & string>(
  connection: OcppConnection,
  version: OcppVersion,
  action: A,
  payload: M[A]['req'],
  options?: CallOptions,
): Promise<M[A]['conf']> {
  if (connection.version !== version) throw new Error(`${connection.identity} speaks ${connection.version}, not ${version}`);
  return (await connection.call(action, payload as Payload, options)) as M[A]['conf'];
}

/**
 * An operator's CALL by name: refused before anything is sent when the action is not one the
 * central system sends in this version, or (in connection.call) when the payload does not match
 * the action's official schema. The answer is checked as any other.
 */
export function operatorCall(connection: OcppConnection, actions: readonly string[], action: string, payload: Payload, options?: CallOptions): Promise<Payload> {
  if (!actions.includes(action)) {
    return Promise.reject(new InvalidOutboundError(`${action} is not an action the central system sends in ${connection.version}; one of: ${actions.join(', ')}`));
  }
  return connection.call(action, payload, options);
}
