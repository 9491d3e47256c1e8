import type { AuthorizationDecision } from '../../domain/authorization.ts';
import { energyRegisterWh } from '../../domain/meter.ts';
import { afterBoot, answerBoot, answerDataTransfer, answerHeartbeat, defineAdapter, firmwareStatusHandler, recordOnly, stationTime, type AdapterDeps } from '../adapter-kit.ts';
import type { VersionAdapter } from '../core/server.ts';
import { variablesFromReport } from './configuration.ts';
import { readings201 } from './readings.ts';
import type { Actions201, IdTokenInfoType } from './schema-types.ts';

function idTokenInfo(decision: AuthorizationDecision): IdTokenInfoType {
  return { status: decision.status, ...(decision.expiryDate ? { cacheExpiryDateTime: decision.expiryDate } : {}) };
}

/** OCPP 2.0.1 → the domain. EVSE ids key the connectors; string transaction ids map to local ids. */
export function createV201Adapter(deps: AdapterDeps): VersionAdapter {
  const { service, pnc } = deps;
  const now = (): Date => deps.now?.() ?? new Date();
  return defineAdapter<Actions201>(service, {
    BootNotification(p, connection, origin) {
      const cs = p.chargingStation;
      return answerBoot(deps, origin, connection, {
        chargeBoxSerialNumber: '',
        chargePointModel: cs.model,
        ChargePointSerialNumber: cs.serialNumber ?? '',
        ChargePointVendor: cs.vendorName,
        firmwareVersion: cs.firmwareVersion ?? '',
        iccid: cs.modem?.iccid ?? '',
        imsi: cs.modem?.imsi ?? '',
        meterSerialNumber: '',
        meterType: '',
      }, p.reason);
    },

    Heartbeat: answerHeartbeat(deps),

    async StatusNotification(p, connection, origin) {
      await service.status(origin, {
        connectorId: p.evseId,
        evseConnectorId: p.connectorId,
        status: p.connectorStatus,
        stationTime: stationTime(deps, connection, p.timestamp),
      });
      return {};
    },

    async Authorize(p, connection) {
      if (p.idToken.type === 'eMAID' && pnc) return pnc.Authorize(p, connection);
      return { idTokenInfo: idTokenInfo(await service.authorize(connection.identity, p.idToken.idToken)) };
    },

    async TransactionEvent(p, connection, origin) {
      const readings = readings201(p.meterValue, now());
      const eventTime = stationTime(deps, connection, p.timestamp);
      const energies = readings.map((r) => energyRegisterWh(r.samples)).filter((wh) => wh !== undefined);
      const info = p.transactionInfo;
      const result = await service.transactionEvent(origin, {
        eventType: p.eventType,
        seqNo: p.seqNo,
        start: {
          connectorId: p.evse?.id ?? 0,
          idTag: p.idToken?.idToken ?? '',
          ...(p.idToken ? { idTokenType: p.idToken.type } : {}),
          meterStartWh: energies[0] ?? 0,
          stationTime: eventTime,
          ocppTransactionId: info.transactionId,
          ...(info.remoteStartId !== undefined ? { remoteStartId: info.remoteStartId } : {}),
          ...(p.reservationId !== undefined ? { reservationId: p.reservationId } : {}),
          offline: p.offline ?? false,
        },
        readings,
        ...(p.eventType === 'Ended'
          ? { stop: { stationTime: eventTime, ...(info.stoppedReason ? { reason: info.stoppedReason } : {}), ...(energies.length ? { meterStopWh: energies.at(-1)! } : {}) } }
          : {}),
      });
      return result.decision && p.idToken ? { idTokenInfo: idTokenInfo(result.decision) } : {};
    },

    async MeterValues(p, _c, origin) {
      await service.meterValues(origin, { connectorId: p.evseId, readings: readings201(p.meterValue, now()), source: 'MeterValues' });
      return {};
    },

    DataTransfer: (p, connection, origin) => answerDataTransfer(deps, origin, connection, p),
    FirmwareStatusNotification: firmwareStatusHandler(service, 'FirmwareStatusNotification'),
    // What a station sends after an operator's GetMonitoringReport, CustomerInformation,
    // GetDisplayMessages, GetChargingProfiles or PublishFirmware (seen: refused NotSupported, so
    // the operator never saw the answer), and its own notices: kept among its reports.
    ...recordOnly(service, [
      'SecurityEventNotification', 'NotifyEvent', 'NotifyReport', 'LogStatusNotification', 'NotifyMonitoringReport', 'NotifyCustomerInformation',
      'NotifyDisplayMessages', 'ReportChargingProfiles', 'NotifyChargingLimit', 'ClearedChargingLimit', 'PublishFirmwareStatusNotification',
    ]),
    // ISO 15118 charging needs: kept; this node computes no charging schedules, so the station
    // (and the EV) go on with their own.
    async NotifyEVChargingNeeds(p, _c, origin) {
      await service.report(origin, { action: 'NotifyEVChargingNeeds', payloadJson: JSON.stringify(p) });
      return { status: 'Rejected' };
    },
    async NotifyEVChargingSchedule(p, _c, origin) {
      await service.report(origin, { action: 'NotifyEVChargingSchedule', payloadJson: JSON.stringify(p) });
      return { status: 'Accepted' };
    },
    async ReservationStatusUpdate(p, _connection, origin) {
      await service.reservationEnded(origin, p.reservationId);
      return {};
    },
    ...(pnc ? { Get15118EVCertificate: pnc.Get15118EVCertificate, GetCertificateStatus: pnc.GetCertificateStatus, SignCertificate: pnc.SignCertificate } : {}),
  }, ['TransactionEvent', 'MeterValues'], {
    BootNotification: afterBoot(deps),
    NotifyReport: (p, _answer, connection) => deps.onReport?.(connection.identity, { requestId: p.requestId, tbc: p.tbc ?? false, variables: variablesFromReport(p.reportData) }),
    FirmwareStatusNotification: (_p, _r, c) => deps.onFirmwareStatus?.(c.identity),
    LogStatusNotification: (p, _r, c) => deps.onLogStatus?.(c.identity, { status: p.status, ...(p.requestId !== undefined ? { requestId: p.requestId } : {}), diagnostics: false }),
  });
}
