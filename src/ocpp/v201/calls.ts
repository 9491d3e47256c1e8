// OCPP 2.0.1 CALLs from the CSMS to a charging station, typed by the generated schema types.
import type { CallOptions, OcppConnection } from '../core/connection.ts';
import { typedCall } from '../core/typed-call.ts';
import type { Actions201 } from './schema-types.ts';

export function call201<A extends keyof Actions201>(connection: OcppConnection, action: A, payload: Actions201[A]['req'], options?: CallOptions): Promise<Actions201[A]['conf']> {
  return typedCall<Actions201, A>(connection, 'ocpp2.0.1', action, payload, options);
}
