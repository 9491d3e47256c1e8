import type { AuthorizationDecision } from '../../domain/authorization.ts';
import { afterBoot, answerBoot, answerDataTransfer, answerHeartbeat, defineAdapter, firmwareStatusHandler, nowIso, recordOnly, stationTime, type AdapterDeps } from '../adapter-kit.ts';
import type { OcppConnection } from '../core/connection.ts';
import { PNC_VENDOR_ID } from '../pnc-messages.ts';
import type { VersionAdapter } from '../core/server.ts';
import { pncDataTransferHandler } from './pnc-data-transfer.ts';
import { readings16 } from './readings.ts';
import type { Actions16 } from './schema-types.ts';

type IdTagInfo = Actions16['Authorize']['conf']['idTagInfo'];

function idTagInfo(decision: AuthorizationDecision): IdTagInfo {
  return {
    status: decision.status,
    ...(decision.expiryDate ? { expiryDate: decision.expiryDate } : {}),
    ...(decision.parentIdTag ? { parentIdTag: decision.parentIdTag } : {}),
  };
}

/** OCPP 1.6 (with the security whitepaper messages) → the domain. */
export function createV16Adapter(deps: AdapterDeps): VersionAdapter {
  const { service, pnc } = deps;
  const now = (): Date => deps.now?.() ?? new Date();
  // 1.6 stations reach Plug & Charge through DataTransfer.
  const vendorDeps: AdapterDeps = pnc
    ? { ...deps, dataTransfer: new Map([...(deps.dataTransfer ?? []), [PNC_VENDOR_ID, pncDataTransferHandler(pnc)]]) }
    : deps;
  return defineAdapter<Actions16>(service, {
    BootNotification: (p, connection, origin) => answerBoot(deps, origin, connection, {
      chargeBoxSerialNumber: p.chargeBoxSerialNumber ?? '',
      chargePointModel: p.chargePointModel,
      ChargePointSerialNumber: p.chargePointSerialNumber ?? '',
      ChargePointVendor: p.chargePointVendor,
      firmwareVersion: p.firmwareVersion ?? '',
      iccid: p.iccid ?? '',
      imsi: p.imsi ?? '',
      meterSerialNumber: p.meterSerialNumber ?? '',
      meterType: p.meterType ?? '',
    }, ''),

    Heartbeat: answerHeartbeat(deps),

    async StatusNotification(p, connection, origin) {
      await service.status(origin, {
        connectorId: p.connectorId,
        status: p.status,
        errorCode: p.errorCode,
        stationTime: p.timestamp ? stationTime(deps, connection, p.timestamp) : nowIso(deps),
      });
      return {};
    },

    async Authorize(p, connection) {
      return { idTagInfo: idTagInfo(await service.authorize(connection.identity, p.idTag)) };
    },

    async StartTransaction(p, connection, origin) {
      const result = await service.startTransaction(origin, {
        connectorId: p.connectorId,
        idTag: p.idTag,
        meterStartWh: p.meterStart,
        stationTime: stationTime(deps, connection, p.timestamp),
        ...(p.reservationId !== undefined ? { reservationId: p.reservationId } : {}),
      });
      return { transactionId: result.transactionId, idTagInfo: idTagInfo(result.decision) };
    },

    async StopTransaction(p, connection, origin) {
      const result = await service.stopTransaction(
        origin,
        p.transactionId,
        { meterStopWh: p.meterStop, stationTime: stationTime(deps, connection, p.timestamp), ...(p.reason ? { reason: p.reason } : {}) },
        { ...(p.idTag ? { idTag: p.idTag } : {}), readings: readings16(p.transactionData, now()) },
      );
      return result.decision ? { idTagInfo: idTagInfo(result.decision) } : {};
    },

    async MeterValues(p, _c, origin) {
      await service.meterValues(origin, {
        connectorId: p.connectorId,
        ...(p.transactionId !== undefined ? { transactionId: p.transactionId } : {}),
        readings: readings16(p.meterValue, now()),
        source: 'MeterValues',
      });
      return {};
    },

    DataTransfer: (p, connection, origin) => answerDataTransfer(vendorDeps, origin, connection, p),
    // The security whitepaper's SignCertificate is for the charge point's own (TLS client) certificate.
    ...(pnc ? {
      SignCertificate: async (p: Actions16['SignCertificate']['req'], connection: OcppConnection) => ({
        status: (await pnc.SignCertificate({ csr: p.csr, certificateType: 'ChargingStationCertificate' }, connection)).status,
      }),
    } : {}),
    FirmwareStatusNotification: firmwareStatusHandler(service, 'FirmwareStatusNotification'),
    SignedFirmwareStatusNotification: firmwareStatusHandler(service, 'SignedFirmwareStatusNotification'),
    ...recordOnly(service, ['SecurityEventNotification', 'LogStatusNotification', 'DiagnosticsStatusNotification']),
  }, ['StartTransaction', 'StopTransaction', 'MeterValues'], {
    BootNotification: afterBoot(deps),
    FirmwareStatusNotification: (_p, _r, c) => deps.onFirmwareStatus?.(c.identity),
    SignedFirmwareStatusNotification: (_p, _r, c) => deps.onFirmwareStatus?.(c.identity),
    DiagnosticsStatusNotification: (p, _r, c) => deps.onLogStatus?.(c.identity, { status: p.status, diagnostics: true }),
    LogStatusNotification: (p, _r, c) => deps.onLogStatus?.(c.identity, { status: p.status, ...(p.requestId !== undefined ? { requestId: p.requestId } : {}), diagnostics: false }),
  });
}
