import type { ChargePointService } from '../domain/charge-point-service.ts';
import type { Logger } from '../log/logger.ts';
import { redactSecrets } from '../domain/secrets.ts';
import { BridgeError, stationFailure } from './bridge-error.ts';
import { onlineStation } from './online-station.ts';
import type { StationLink, StationLinks } from './station-link.ts';

export interface OperatorCommandsOptions {
  service: ChargePointService;
  commands: StationLinks;
  log: Logger;
  now?: () => Date;
}

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

  /** Takes a connector (0: the whole station) in or out of service. */
  changeAvailability(identity: string, connectorId: number, operative: boolean): Promise<string> {
    return this.send(identity, 'ChangeAvailability', { connectorId, operative }, (link) => link.changeAvailability(connectorId, operative));
  }

  private async send<T>(identity: string, action: string, request: object, run: (link: StationLink) => Promise<T>): Promise<T> {
    await onlineStation(this.opts.service, this.opts.commands, identity);
    const link = this.opts.commands.for(identity);
    const at = (this.opts.now?.() ?? new Date()).toISOString();
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
