import type { CertificateIdUse } from '../../domain/certificates.ts';
import { newVariable } from '../../domain/configuration.ts';
import { flattenHashDataChains } from '../pnc-messages.ts';
import { StationCallError, type InstalledCertificate } from '../../app/station-link.ts';
import type { VersionCommands } from '../station-commands.ts';
import { CSMS_ACTIONS_16, call16, type CertificateUse16, type ExtendedTrigger16, type MessageTrigger16 } from './calls.ts';
import { RpcError } from '../core/errors.ts';
import { operatorCall } from '../core/typed-call.ts';
import { pncCall16 } from './pnc-data-transfer.ts';

// The charge point's own roots travel in the security whitepaper's messages; the EV-facing
// (ISO 15118) roots and certificates in Plug & Charge DataTransfer.
const WHITEPAPER_USE: Partial<Record<CertificateIdUse, CertificateUse16>> = {
  CSMSRootCertificate: 'CentralSystemRootCertificate',
  ManufacturerRootCertificate: 'ManufacturerRootCertificate',
};
// Only what core TriggerMessage lacks (it has FirmwareStatusNotification).
const EXTENDED_TRIGGERS = new Set(['LogStatusNotification', 'SignChargePointCertificate']);

function whitepaperUse(type: CertificateIdUse | undefined): CertificateUse16 | undefined {
  return type ? WHITEPAPER_USE[type] : undefined;
}

/** The central system's commands in OCPP 1.6. */
export const commands16: VersionCommands = {
  async remoteStart(c, cmd, o) {
    const { status } = await call16(c, 'RemoteStartTransaction', { connectorId: cmd.connectorId, idTag: cmd.idTag }, o);
    return status === 'Accepted' ? { accepted: true } : { accepted: false, reason: 'the station rejected RemoteStartTransaction' };
  },
  async remoteStop(c, tx, o) {
    const { status } = await call16(c, 'RemoteStopTransaction', { transactionId: tx.transactionId }, o);
    return status === 'Accepted' ? { accepted: true } : { accepted: false, reason: 'the station rejected RemoteStopTransaction' };
  },
  async sendLocalList(c, update, o) {
    const { status } = await call16(c, 'SendLocalList', {
      listVersion: update.version,
      updateType: update.full ? 'Full' : 'Differential',
      ...(update.entries.length ? {
        localAuthorizationList: update.entries.map((e) => ({
          idTag: e.idTag,
          ...(e.status ? { idTagInfo: { status: e.status, ...(e.expiryDate ? { expiryDate: e.expiryDate } : {}) } } : {}),
        })),
      } : {}),
    }, o);
    return status;
  },
  async getLocalListVersion(c, o) {
    return (await call16(c, 'GetLocalListVersion', {}, o)).listVersion;
  },
  async localListMaxLength(c, o) {
    const { configurationKey } = await call16(c, 'GetConfiguration', { key: ['SendLocalListMaxLength'] }, o);
    const value = Number(configurationKey?.find((k) => k.key === 'SendLocalListMaxLength')?.value);
    return Number.isInteger(value) && value > 0 ? value : undefined;
  },
  async trigger(c, message, connectorId, o) {
    // 2.0.1 names are accepted too, so an operator can use one vocabulary for every station.
    const requested = message === 'SignChargingStationCertificate' ? 'SignChargePointCertificate' : message;
    if (requested === 'SignV2GCertificate') return (await pncCall16(c, 'TriggerMessage', { requestedMessage: requested }, o)).status;
    const connector = connectorId !== undefined ? { connectorId } : {};
    // An operator's free text: the schema check before sending refuses a name the version lacks.
    if (EXTENDED_TRIGGERS.has(requested)) return (await call16(c, 'ExtendedTriggerMessage', { requestedMessage: requested as ExtendedTrigger16, ...connector }, o)).status;
    return (await call16(c, 'TriggerMessage', { requestedMessage: requested as MessageTrigger16, ...connector }, o)).status;
  },
  async unlock(c, connectorId, o) {
    return (await call16(c, 'UnlockConnector', { connectorId }, o)).status;
  },
  async updateFirmware(c, u, o) {
    if (u.signature && u.signingCertificate) {
      return (await call16(c, 'SignedUpdateFirmware', {
        requestId: u.requestId,
        firmware: { location: u.location, retrieveDateTime: u.retrieveAt, ...(u.installAt ? { installDateTime: u.installAt } : {}), signingCertificate: u.signingCertificate, signature: u.signature },
      }, o)).status;
    }
    // UpdateFirmware has an empty answer: the station took it.
    await call16(c, 'UpdateFirmware', { location: u.location, retrieveDate: u.retrieveAt }, o);
    return 'Accepted';
  },
  async requestLog(c, r, o) {
    if (r.logType === 'Diagnostics') {
      const { fileName } = await call16(c, 'GetDiagnostics', { location: r.location, ...(r.from ? { startTime: r.from } : {}), ...(r.to ? { stopTime: r.to } : {}) }, o);
      // No file name: the station has no diagnostics to send.
      return fileName ? { status: 'Accepted', fileName } : { status: 'NoFile' };
    }
    const a = await call16(c, 'GetLog', {
      logType: r.logType, requestId: r.requestId,
      log: { remoteLocation: r.location, ...(r.from ? { oldestTimestamp: r.from } : {}), ...(r.to ? { latestTimestamp: r.to } : {}) },
    }, o);
    return { status: a.status, ...(a.filename ? { fileName: a.filename } : {}) };
  },
  async readConfiguration(c, _requestId, o) {
    const r = await call16(c, 'GetConfiguration', {}, o);
    return {
      kind: 'variables',
      variables: (r.configurationKey ?? []).map((k) => newVariable({ variable: k.key }, [{ value: k.value ?? '', mutability: k.readonly ? 'ReadOnly' : 'ReadWrite' }])),
      unknownKeys: r.unknownKey ?? [],
    };
  },
  async changeConfiguration(c, ref, value, o) {
    if (ref.component || ref.componentInstance || ref.evseId || ref.connectorId || ref.variableInstance) {
      throw new StationCallError('InvalidRequest', 'an OCPP 1.6 station has configuration keys: name the key alone (no component, instance, EVSE or connector)');
    }
    return (await call16(c, 'ChangeConfiguration', { key: ref.variable, value }, o)).status;
  },
  async reserveNow(c, r, o) {
    return (await call16(c, 'ReserveNow', { connectorId: r.connectorId, expiryDate: r.expiryDate, idTag: r.idTag, reservationId: r.reservationId }, o)).status;
  },
  async cancelReservation(c, reservationId, o) {
    return (await call16(c, 'CancelReservation', { reservationId }, o)).status;
  },
  async reset(c, hard, o) {
    return (await call16(c, 'Reset', { type: hard ? 'Hard' : 'Soft' }, o)).status;
  },
  async clearCache(c, o) {
    return (await call16(c, 'ClearCache', {}, o)).status;
  },
  async dataTransfer(c, req, o) {
    const r = await call16(c, 'DataTransfer', req, o);
    return { status: r.status, ...(r.data !== undefined ? { data: r.data } : {}) };
  },
  call: (c, action, payload, o) => operatorCall(c, CSMS_ACTIONS_16, action, payload, o),
  async changeAvailability(c, connectorId, operative, o) {
    return (await call16(c, 'ChangeAvailability', { connectorId, type: operative ? 'Operative' : 'Inoperative' }, o)).status;
  },
  async installCertificate(c, type, pem, o) {
    const own = whitepaperUse(type);
    if (own) return (await call16(c, 'InstallCertificate', { certificateType: own, certificate: pem }, o)).status;
    return (await pncCall16(c, 'InstallCertificate', { certificateType: type, certificate: pem }, o)).status;
  },
  async deleteCertificate(c, hashData, type, o) {
    if (whitepaperUse(type)) return (await call16(c, 'DeleteCertificate', { certificateHashData: hashData }, o)).status;
    return (await pncCall16(c, 'DeleteCertificate', { certificateHashData: hashData }, o)).status;
  },
  async installedCertificates(c, types, o) {
    const out: InstalledCertificate[] = [];
    for (const type of types) {
      const own = whitepaperUse(type);
      if (!own) continue;
      const r = await call16(c, 'GetInstalledCertificateIds', { certificateType: own }, o);
      out.push(...(r.certificateHashData ?? []).map((hashData) => ({ certificateType: type, hashData })));
    }
    const pncTypes = types.filter((t) => !whitepaperUse(t));
    if (pncTypes.length) {
      try {
        const r = await pncCall16(c, 'GetInstalledCertificateIds', { certificateType: pncTypes }, o);
        out.push(...flattenHashDataChains(r.certificateHashDataChain));
      } catch (err) {
        // A station without Plug & Charge (UnknownVendorId, UnknownMessageId): it has the
        // whitepaper's certificates only (seen: the whole refresh failed).
        if (!(err instanceof RpcError && err.kind === 'NotSupported')) throw err;
      }
    }
    return out;
  },
  async certificateSigned(c, chainPem, type, o) {
    const r = type === 'ChargingStationCertificate'
      ? await call16(c, 'CertificateSigned', { certificateChain: chainPem }, o)
      : await pncCall16(c, 'CertificateSigned', { certificateChain: chainPem, certificateType: type }, o);
    return r.status === 'Accepted' ? { accepted: true } : { accepted: false, reason: `the station rejected CertificateSigned (${type})` };
  },
};
