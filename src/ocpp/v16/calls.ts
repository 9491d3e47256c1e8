// OCPP 1.6 CALLs from the central system to a charge point, typed after the OCA schemas.
import type { CallOptions, OcppConnection } from '../connection.ts';
import type { CertificateHashData } from '../../domain/certificates.ts';
import { typedCall } from '../typed-call.ts';

export interface IdTagInfo16 {
  status: 'Accepted' | 'Blocked' | 'Expired' | 'Invalid' | 'ConcurrentTx';
  expiryDate?: string;
  parentIdTag?: string;
}

export interface AuthorizationData16 {
  idTag: string;
  idTagInfo?: IdTagInfo16;
}

export type MessageTrigger16 = 'BootNotification' | 'DiagnosticsStatusNotification' | 'FirmwareStatusNotification' | 'Heartbeat' | 'MeterValues' | 'StatusNotification';

export type Calls16 = {
  RemoteStartTransaction: { req: { connectorId?: number; idTag: string; chargingProfile?: object }; conf: { status: 'Accepted' | 'Rejected' } };
  RemoteStopTransaction: { req: { transactionId: number }; conf: { status: 'Accepted' | 'Rejected' } };
  SendLocalList: {
    req: { listVersion: number; updateType: 'Full' | 'Differential'; localAuthorizationList?: AuthorizationData16[] };
    conf: { status: 'Accepted' | 'Failed' | 'NotSupported' | 'VersionMismatch' };
  };
  GetLocalListVersion: { req: Record<string, never>; conf: { listVersion: number } };
  TriggerMessage: { req: { requestedMessage: MessageTrigger16; connectorId?: number }; conf: { status: 'Accepted' | 'Rejected' | 'NotImplemented' } };
  UnlockConnector: { req: { connectorId: number }; conf: { status: 'Unlocked' | 'UnlockFailed' | 'NotSupported' } };
  ChangeAvailability: { req: { connectorId: number; type: 'Inoperative' | 'Operative' }; conf: { status: 'Accepted' | 'Rejected' | 'Scheduled' } };
  GetConfiguration: {
    req: { key?: string[] };
    conf: { configurationKey?: { key: string; readonly: boolean; value?: string }[]; unknownKey?: string[] };
  };
  ChangeConfiguration: { req: { key: string; value: string }; conf: { status: 'Accepted' | 'Rejected' | 'RebootRequired' | 'NotSupported' } };
  Reset: { req: { type: 'Hard' | 'Soft' }; conf: { status: 'Accepted' | 'Rejected' } };
  DataTransfer: { req: { vendorId: string; messageId?: string; data?: string }; conf: { status: 'Accepted' | 'Rejected' | 'UnknownMessageId' | 'UnknownVendorId'; data?: string } };
  // The security whitepaper's own messages, for the charge point's (not the EV's) certificates.
  InstallCertificate: { req: { certificateType: CertificateUse16; certificate: string }; conf: { status: 'Accepted' | 'Failed' | 'Rejected' } };
  DeleteCertificate: { req: { certificateHashData: CertificateHashData }; conf: { status: 'Accepted' | 'Failed' | 'NotFound' } };
  GetInstalledCertificateIds: { req: { certificateType: CertificateUse16 }; conf: { status: 'Accepted' | 'NotFound'; certificateHashData?: CertificateHashData[] } };
  CertificateSigned: { req: { certificateChain: string }; conf: { status: 'Accepted' | 'Rejected' } };
  ExtendedTriggerMessage: { req: { requestedMessage: string; connectorId?: number }; conf: { status: 'Accepted' | 'Rejected' | 'NotImplemented' } };
};

export type CertificateUse16 = 'CentralSystemRootCertificate' | 'ManufacturerRootCertificate';

export function call16<A extends keyof Calls16>(connection: OcppConnection, action: A, payload: Calls16[A]['req'], options?: CallOptions): Promise<Calls16[A]['conf']> {
  return typedCall<Calls16, A>(connection, 'ocpp1.6', action, payload, options);
}
