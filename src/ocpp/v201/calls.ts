// OCPP 2.0.1 CALLs from the CSMS to a charging station, typed by the generated schema types.
import type { CallOptions, OcppConnection } from '../core/connection.ts';
import { typedCall } from '../core/typed-call.ts';
import type { Actions201 } from './schema-types.ts';

export function call201<A extends keyof Actions201>(connection: OcppConnection, action: A, payload: Actions201[A]['req'], options?: CallOptions): Promise<Actions201[A]['conf']> {
  return typedCall<Actions201, A>(connection, 'ocpp2.0.1', action, payload, options);
}

/**
 * Every action a CSMS sends in OCPP 2.0.1: what an operator's call may name. Checked against
 * the generated action map, so a name the official schemas lack does not compile.
 */
export const CSMS_ACTIONS_201 = [
  'CancelReservation', 'CertificateSigned', 'ChangeAvailability', 'ClearCache', 'ClearChargingProfile', 'ClearDisplayMessage',
  'ClearVariableMonitoring', 'CostUpdated', 'CustomerInformation', 'DataTransfer', 'DeleteCertificate', 'GetBaseReport',
  'GetChargingProfiles', 'GetCompositeSchedule', 'GetDisplayMessages', 'GetInstalledCertificateIds', 'GetLocalListVersion',
  'GetLog', 'GetMonitoringReport', 'GetReport', 'GetTransactionStatus', 'GetVariables', 'InstallCertificate', 'PublishFirmware',
  'RequestStartTransaction', 'RequestStopTransaction', 'ReserveNow', 'Reset', 'SendLocalList', 'SetChargingProfile',
  'SetDisplayMessage', 'SetMonitoringBase', 'SetMonitoringLevel', 'SetNetworkProfile', 'SetVariableMonitoring', 'SetVariables',
  'TriggerMessage', 'UnlockConnector', 'UnpublishFirmware', 'UpdateFirmware',
] as const satisfies readonly (keyof Actions201)[];
