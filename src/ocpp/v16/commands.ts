import type { VersionCommands } from '../station-commands.ts';
import { call16, type MessageTrigger16 } from './calls.ts';

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
      localAuthorizationList: update.entries.map((e) => ({
        idTag: e.idTag,
        ...(e.status ? { idTagInfo: { status: e.status, ...(e.expiryDate ? { expiryDate: e.expiryDate } : {}) } } : {}),
      })),
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
    return (await call16(c, 'TriggerMessage', { requestedMessage: message as MessageTrigger16, ...(connectorId !== undefined ? { connectorId } : {}) }, o)).status;
  },
  async unlock(c, connectorId, o) {
    return (await call16(c, 'UnlockConnector', { connectorId }, o)).status;
  },
  async changeAvailability(c, connectorId, operative, o) {
    return (await call16(c, 'ChangeAvailability', { connectorId, type: operative ? 'Operative' : 'Inoperative' }, o)).status;
  },
};
