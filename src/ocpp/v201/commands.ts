import { StationCallError } from '../../app/station-link.ts';
import { flattenHashDataChains } from '../pnc-messages.ts';
import type { VersionCommands } from '../station-commands.ts';
import { operatorCall } from '../core/typed-call.ts';
import { CSMS_ACTIONS_201, call201 } from './calls.ts';
import type { MessageTriggerEnumType } from './schema-types.ts';

// Tokens the gateway issues for consumers are "Central" tokens in 2.0.1 terms.
const idToken = (idTag: string) => ({ idToken: idTag, type: 'Central' as const });

const refusal = (action: string, statusInfo?: { reasonCode: string; additionalInfo?: string }) =>
  `the station rejected ${action}${statusInfo ? ` (${statusInfo.reasonCode}${statusInfo.additionalInfo ? `: ${statusInfo.additionalInfo}` : ''})` : ''}`;

/** The CSMS's commands in OCPP 2.0.1. Connector ids of the domain are EVSE ids here. */
export const commands201: VersionCommands = {
  async remoteStart(c, cmd, o) {
    const r = await call201(c, 'RequestStartTransaction', { evseId: cmd.connectorId, remoteStartId: cmd.remoteStartId, idToken: idToken(cmd.idTag) }, o);
    return r.status === 'Accepted' ? { accepted: true } : { accepted: false, reason: refusal('RequestStartTransaction', r.statusInfo) };
  },
  async remoteStop(c, tx, o) {
    const r = await call201(c, 'RequestStopTransaction', { transactionId: tx.ocppTransactionId }, o);
    return r.status === 'Accepted' ? { accepted: true } : { accepted: false, reason: refusal('RequestStopTransaction', r.statusInfo) };
  },
  async sendLocalList(c, update, o) {
    const { status } = await call201(c, 'SendLocalList', {
      versionNumber: update.version,
      updateType: update.full ? 'Full' : 'Differential',
      // An empty list is left out: the schema wants at least one item when it is present.
      ...(update.entries.length ? {
        localAuthorizationList: update.entries.map((e) => ({
          idToken: e.card ? { idToken: e.idTag, type: 'ISO14443' as const } : idToken(e.idTag),
          ...(e.status ? { idTokenInfo: { status: e.status, ...(e.expiryDate ? { cacheExpiryDateTime: e.expiryDate } : {}) } } : {}),
        })),
      } : {}),
    }, o);
    return status;
  },
  async getLocalListVersion(c, o) {
    return (await call201(c, 'GetLocalListVersion', {}, o)).versionNumber;
  },
  async localListMaxLength(c, o) {
    const { getVariableResult } = await call201(c, 'GetVariables', {
      getVariableData: [{ component: { name: 'LocalAuthListCtrlr' }, variable: { name: 'ItemsPerMessage' } }],
    }, o);
    const value = Number(getVariableResult[0]?.attributeStatus === 'Accepted' ? getVariableResult[0].attributeValue : undefined);
    return Number.isInteger(value) && value > 0 ? value : undefined;
  },
  async trigger(c, message, connectorId, o) {
    // An operator's free text: the schema check before sending refuses a name the version lacks.
    return (await call201(c, 'TriggerMessage', { requestedMessage: message as MessageTriggerEnumType, ...(connectorId !== undefined ? { evse: { id: connectorId } } : {}) }, o)).status;
  },
  async unlock(c, connectorId, o) {
    // The domain's connector is the EVSE; its first (usually only) connector is unlocked.
    return (await call201(c, 'UnlockConnector', { evseId: connectorId, connectorId: 1 }, o)).status;
  },
  async readConfiguration(c, requestId, o) {
    const { status } = await call201(c, 'GetBaseReport', { requestId, reportBase: 'FullInventory' }, o);
    return { kind: 'report', accepted: status === 'Accepted', status };
  },
  async changeConfiguration(c, ref, value, o) {
    if (!ref.component) throw new StationCallError('InvalidRequest', `an OCPP 2.0.1 variable belongs to a component: name it (${ref.variable})`);
    if (ref.connectorId && !ref.evseId) throw new StationCallError('InvalidRequest', 'a connector is named within its EVSE: give evseId too');
    const component = {
      name: ref.component,
      ...(ref.componentInstance ? { instance: ref.componentInstance } : {}),
      ...(ref.evseId ? { evse: { id: ref.evseId, ...(ref.connectorId ? { connectorId: ref.connectorId } : {}) } } : {}),
    };
    const variable = { name: ref.variable, ...(ref.variableInstance ? { instance: ref.variableInstance } : {}) };
    const r = await call201(c, 'SetVariables', { setVariableData: [{ attributeValue: value, component, variable }] }, o);
    return r.setVariableResult[0]?.attributeStatus ?? 'Rejected';
  },
  async reserveNow(c, r, o) {
    // An operator's reservation is for a card (ISO14443), a consumer's for the idTag the gateway
    // gave its key (Central, as in its remote start); 0 reserves no particular EVSE.
    return (await call201(c, 'ReserveNow', {
      id: r.reservationId, expiryDateTime: r.expiryDate, idToken: r.consumer ? idToken(r.idTag) : { idToken: r.idTag, type: 'ISO14443' },
      ...(r.connectorId > 0 ? { evseId: r.connectorId } : {}),
    }, o)).status;
  },
  async cancelReservation(c, reservationId, o) {
    return (await call201(c, 'CancelReservation', { reservationId }, o)).status;
  },
  async reset(c, hard, o) {
    return (await call201(c, 'Reset', { type: hard ? 'Immediate' : 'OnIdle' }, o)).status;
  },
  async clearCache(c, o) {
    return (await call201(c, 'ClearCache', {}, o)).status;
  },
  async dataTransfer(c, req, o) {
    const r = await call201(c, 'DataTransfer', req, o);
    return { status: r.status, ...(r.data !== undefined ? { data: r.data } : {}) };
  },
  call: (c, action, payload, o) => operatorCall(c, CSMS_ACTIONS_201, action, payload, o),
  async updateFirmware(c, u, o) {
    return (await call201(c, 'UpdateFirmware', {
      requestId: u.requestId,
      firmware: {
        location: u.location, retrieveDateTime: u.retrieveAt, ...(u.installAt ? { installDateTime: u.installAt } : {}),
        ...(u.signingCertificate ? { signingCertificate: u.signingCertificate } : {}), ...(u.signature ? { signature: u.signature } : {}),
      },
    }, o)).status;
  },
  async requestLog(c, r, o) {
    if (r.logType === 'Diagnostics') throw new StationCallError('InvalidRequest', 'an OCPP 2.0.1 station has no GetDiagnostics: ask for DiagnosticsLog');
    const a = await call201(c, 'GetLog', {
      logType: r.logType, requestId: r.requestId,
      log: { remoteLocation: r.location, ...(r.from ? { oldestTimestamp: r.from } : {}), ...(r.to ? { latestTimestamp: r.to } : {}) },
    }, o);
    return { status: a.status, ...(a.filename ? { fileName: a.filename } : {}) };
  },
  async changeAvailability(c, connectorId, operative, o) {
    return (await call201(c, 'ChangeAvailability', {
      operationalStatus: operative ? 'Operative' : 'Inoperative',
      ...(connectorId > 0 ? { evse: { id: connectorId } } : {}),
    }, o)).status;
  },
  async installCertificate(c, type, pem, o) {
    return (await call201(c, 'InstallCertificate', { certificateType: type, certificate: pem }, o)).status;
  },
  async deleteCertificate(c, hashData, _type, o) {
    return (await call201(c, 'DeleteCertificate', { certificateHashData: hashData }, o)).status;
  },
  async installedCertificates(c, types, o) {
    const r = await call201(c, 'GetInstalledCertificateIds', types.length ? { certificateType: [...types] } : {}, o);
    return flattenHashDataChains(r.certificateHashDataChain);
  },
  async certificateSigned(c, chainPem, type, o) {
    const r = await call201(c, 'CertificateSigned', { certificateChain: chainPem, certificateType: type }, o);
    return r.status === 'Accepted' ? { accepted: true } : { accepted: false, reason: refusal('CertificateSigned', r.statusInfo) };
  },
};
