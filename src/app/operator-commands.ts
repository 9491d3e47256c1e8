import type { ChargePointService } from '../domain/charge-point-service.ts';
import type { Logger } from '../log/logger.ts';
import { grantRemoteStart, useGrant } from '../domain/authorization.ts';
import { redactSecrets } from '../domain/secrets.ts';
import { BridgeError, stationFailure } from './bridge-error.ts';
import { onlineStation } from './online-station.ts';
import { StationCallError, type StationLink, type StationLinks } from './station-link.ts';

export interface OperatorCommandsOptions {
  service: ChargePointService;
  commands: StationLinks;
  log: Logger;
  now?: () => Date;
}

/** How long an operator's remote start lets its idTag start a transaction, on the station's list or not. */
const REMOTE_START_GRANT_MS = 5 * 60_000;

/** How an operator's command is kept among the station's reports (GET .../reports). */
export const OPERATOR_CALL_REPORT = 'OperatorCall';

/**
 * What an operator asks of one station: any action of its OCPP version by name, and the
 * everyday ones in the domain's terms (reset, unlock, availability, trigger, clear cache, data
 * transfer). Each exchange, answered or failed, is kept among the station's reports.
 */
export class OperatorCommands {
  private readonly opts: OperatorCommandsOptions;

  constructor(opts: OperatorCommandsOptions) {
    this.opts = opts;
  }

  /** Any action the central system sends in the station's version; the station's answer as it gave it. */
  call(identity: string, action: string, payload: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.send(identity, action, payload, (link) => link.call(action, payload));
  }

  reset(identity: string, hard: boolean): Promise<string> {
    return this.send(identity, 'Reset', { hard }, (link) => link.reset(hard));
  }

  clearCache(identity: string): Promise<string> {
    return this.send(identity, 'ClearCache', {}, (link) => link.clearCache());
  }

  dataTransfer(identity: string, req: { vendorId: string; messageId?: string; data?: string }): Promise<{ status: string; data?: unknown }> {
    return this.send(identity, 'DataTransfer', req, (link) => link.dataTransfer(req));
  }

  /** Asks the station to send a message now (BootNotification, StatusNotification, MeterValues, ...). */
  trigger(identity: string, message: string, connectorId?: number): Promise<string> {
    return this.send(identity, 'TriggerMessage', { message, connectorId }, (link) => link.trigger(message, connectorId));
  }

  unlock(identity: string, connectorId: number): Promise<string> {
    return this.send(identity, 'UnlockConnector', { connectorId }, (link) => link.unlock(connectorId));
  }

  /**
   * Starts a transaction for a card. The station's own start with this idTag is then accepted,
   * on the list or not (seen: answered Invalid, and the charger stopped): the grant is made
   * before asking (the station's start may come before its answer) and withdrawn when the
   * station refuses or was offline, so the tag does not stay good for five minutes. A lost
   * answer (timeout) keeps it: the station may have started.
   */
  remoteStart(identity: string, connectorId: number, idTag: string): Promise<{ accepted: boolean; reason?: string }> {
    return this.send(identity, 'RemoteStart', { connectorId, idTag }, async (link) => {
      const withdraw = () => this.opts.service.update(identity, ({ state }) => useGrant(state, idTag, this.now()));
      await this.opts.service.update(identity, ({ state }) => grantRemoteStart(state, idTag, new Date(this.now().getTime() + REMOTE_START_GRANT_MS)));
      let answer: { accepted: boolean; reason?: string };
      try {
        answer = await link.remoteStart({ connectorId, idTag, remoteStartId: Date.now() % 2 ** 31 });
      } catch (err) {
        // Offline before it was sent, or refused with a CALLERROR: the station starts nothing.
        if (err instanceof StationCallError && (err.code === 'StationOffline' || err.code === 'Refused')) await withdraw();
        throw err;
      }
      if (!answer.accepted) await withdraw();
      return answer;
    });
  }

  /** Stops one of the station's open transactions. */
  async remoteStop(identity: string, transactionId: number): Promise<{ accepted: boolean; reason?: string }> {
    const tx = (await onlineStation(this.opts.service, this.opts.commands, identity)).transactions[transactionId];
    if (!tx) throw new BridgeError('NotFound', `no open transaction ${transactionId} on ${identity}`);
    return this.send(identity, 'RemoteStop', { transactionId }, (link) => link.remoteStop({ transactionId: tx.id, ocppTransactionId: tx.ocppTransactionId }));
  }

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }

  /** Takes a connector (0: the whole station) in or out of service. */
  changeAvailability(identity: string, connectorId: number, operative: boolean): Promise<string> {
    return this.send(identity, 'ChangeAvailability', { connectorId, operative }, (link) => link.changeAvailability(connectorId, operative));
  }

  private async send<T>(identity: string, action: string, request: object, run: (link: StationLink) => Promise<T>): Promise<T> {
    await onlineStation(this.opts.service, this.opts.commands, identity);
    const link = this.opts.commands.for(identity);
    const at = this.now().toISOString();
    // Kept without the station's credentials, should the command carry any.
    const kept = redactSecrets(action, request);
    try {
      const response = await run(link);
      await this.record(identity, { action, at, request: kept, response });
      return response;
    } catch (err) {
      const failure = stationFailure(err, action);
      // What we refused to send never reached the station: nothing to keep.
      if (!(failure instanceof BridgeError && failure.code === 'InvalidRequest')) {
        await this.record(identity, { action, at, request: kept, error: { ...(failure instanceof BridgeError ? { code: failure.code } : {}), message: failure.message } });
      }
      throw failure;
    }
  }

  private async record(identity: string, exchange: object): Promise<void> {
    try {
      await this.opts.service.report({ identity, isCurrent: () => true }, { action: OPERATOR_CALL_REPORT, payloadJson: JSON.stringify(exchange) });
    } catch (err) {
      // The station did what it answered; a record that could not be kept does not undo that.
      this.opts.log.warn('operator command not recorded', { station: identity, err });
    }
  }
}
