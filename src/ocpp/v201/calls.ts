// OCPP 2.0.1 CALLs from the CSMS to a charging station, typed after the OCA schemas.
import type { CallOptions, OcppConnection } from '../connection.ts';
import { typedCall } from '../typed-call.ts';
import type { PncCsmsMessages } from '../pnc-messages.ts';
import type { IdToken } from './messages.ts';

export interface IdTokenInfo201 {
  status: 'Accepted' | 'Blocked' | 'ConcurrentTx' | 'Expired' | 'Invalid' | 'NoCredit' | 'NotAllowedTypeEVSE' | 'NotAtThisLocation' | 'NotAtThisTime' | 'Unknown';
  cacheExpiryDateTime?: string;
}

export interface AuthorizationData201 {
  idToken: IdToken;
  idTokenInfo?: IdTokenInfo201;
}

type StatusInfo = { reasonCode: string; additionalInfo?: string };
type Component = { name: string; instance?: string; evse?: { id: number; connectorId?: number } };
type Variable = { name: string; instance?: string };

export type Calls201 = {
  RequestStartTransaction: {
    req: { evseId?: number; remoteStartId: number; idToken: IdToken; groupIdToken?: IdToken };
    conf: { status: 'Accepted' | 'Rejected'; transactionId?: string; statusInfo?: StatusInfo };
  };
  RequestStopTransaction: { req: { transactionId: string }; conf: { status: 'Accepted' | 'Rejected'; statusInfo?: StatusInfo } };
  SendLocalList: {
    req: { versionNumber: number; updateType: 'Full' | 'Differential'; localAuthorizationList?: AuthorizationData201[] };
    conf: { status: 'Accepted' | 'Failed' | 'VersionMismatch'; statusInfo?: StatusInfo };
  };
  GetLocalListVersion: { req: Record<string, never>; conf: { versionNumber: number } };
  TriggerMessage: {
    req: { requestedMessage: string; evse?: { id: number; connectorId?: number } };
    conf: { status: 'Accepted' | 'Rejected' | 'NotImplemented'; statusInfo?: StatusInfo };
  };
  UnlockConnector: { req: { evseId: number; connectorId: number }; conf: { status: string; statusInfo?: StatusInfo } };
  ChangeAvailability: {
    req: { operationalStatus: 'Inoperative' | 'Operative'; evse?: { id: number; connectorId?: number } };
    conf: { status: 'Accepted' | 'Rejected' | 'Scheduled'; statusInfo?: StatusInfo };
  };
  GetVariables: {
    req: { getVariableData: { component: Component; variable: Variable; attributeType?: string }[] };
    conf: { getVariableResult: { attributeStatus: string; attributeValue?: string; component: Component; variable: Variable }[] };
  };
  SetVariables: {
    req: { setVariableData: { component: Component; variable: Variable; attributeValue: string; attributeType?: string }[] };
    conf: { setVariableResult: { attributeStatus: string; component: Component; variable: Variable }[] };
  };
  Reset: { req: { type: 'Immediate' | 'OnIdle'; evseId?: number }; conf: { status: 'Accepted' | 'Rejected' | 'Scheduled' } };
  DataTransfer: { req: { vendorId: string; messageId?: string; data?: unknown }; conf: { status: string; data?: unknown } };
} & Omit<PncCsmsMessages, 'TriggerMessage'>;

export function call201<A extends keyof Calls201>(connection: OcppConnection, action: A, payload: Calls201[A]['req'], options?: CallOptions): Promise<Calls201[A]['conf']> {
  return typedCall<Calls201, A>(connection, 'ocpp2.0.1', action, payload, options);
}
