// OCPP 1.6 CALLs from the central system to a charge point, typed by the generated schema types.
import type { CallOptions, OcppConnection } from '../core/connection.ts';
import { typedCall } from '../core/typed-call.ts';
import type { Actions16 } from './schema-types.ts';

/** What a core TriggerMessage may ask for. */
export type MessageTrigger16 = Actions16['TriggerMessage']['req']['requestedMessage'];

/** What the security whitepaper's ExtendedTriggerMessage may ask for. */
export type ExtendedTrigger16 = Actions16['ExtendedTriggerMessage']['req']['requestedMessage'];

/** The security whitepaper's certificate uses (the charge point's own certificates, not the EV's). */
export type CertificateUse16 = Actions16['InstallCertificate']['req']['certificateType'];

export function call16<A extends keyof Actions16>(connection: OcppConnection, action: A, payload: Actions16[A]['req'], options?: CallOptions): Promise<Actions16[A]['conf']> {
  return typedCall<Actions16, A>(connection, 'ocpp1.6', action, payload, options);
}

/**
 * Every action a central system sends in OCPP 1.6 (core and the security whitepaper): what an
 * operator's call may name. Checked against the generated action map, so a name the official
 * schemas lack does not compile.
 */
export const CSMS_ACTIONS_16 = [
  'CancelReservation', 'CertificateSigned', 'ChangeAvailability', 'ChangeConfiguration', 'ClearCache', 'ClearChargingProfile',
  'DataTransfer', 'DeleteCertificate', 'ExtendedTriggerMessage', 'GetCompositeSchedule', 'GetConfiguration', 'GetDiagnostics',
  'GetInstalledCertificateIds', 'GetLocalListVersion', 'GetLog', 'InstallCertificate', 'RemoteStartTransaction',
  'RemoteStopTransaction', 'ReserveNow', 'Reset', 'SendLocalList', 'SetChargingProfile', 'SignedUpdateFirmware',
  'TriggerMessage', 'UnlockConnector', 'UpdateFirmware',
] as const satisfies readonly (keyof Actions16)[];
