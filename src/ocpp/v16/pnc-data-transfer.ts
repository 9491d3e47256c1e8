import type { DataTransferHandler } from '../adapter-kit.ts';
import type { CallOptions, OcppConnection } from '../core/connection.ts';
import { InvalidOutboundError, RpcError } from '../core/errors.ts';
import { PNC_VENDOR_ID, type PncCsmsMessages, type PncStationHandlers, type PncStationMessages } from '../pnc-messages.ts';
import { schemasFor } from '../core/schemas.ts';
import { call16 } from './calls.ts';

const STATION_ACTIONS = new Set<string>(['Get15118EVCertificate', 'GetCertificateStatus', 'SignCertificate', 'Authorize']);

/**
 * 1.6 stations speak Plug & Charge through DataTransfer (OCPP-RULES.md): messageId is the
 * 2.0.1 action, data the JSON of its payload; the answer's data is the JSON of the 2.0.1
 * response. The inner payload is checked against the 2.0.1 schema under the station's
 * validation policy, like any CALL of the station.
 */
export function pncDataTransferHandler(handlers: PncStationHandlers): DataTransferHandler {
  const schemas = schemasFor('ocpp2.0.1');
  return async (messageId, data, connection) => {
    if (!messageId || !STATION_ACTIONS.has(messageId)) return { status: 'UnknownMessageId' };
    let payload: unknown;
    try {
      payload = JSON.parse(data ?? '');
    } catch {
      return { status: 'Rejected', data: JSON.stringify({ error: `${messageId} data is not JSON` }) };
    }
    // Some stations send Authorize's idToken as the bare string (OCPP-RULES.md).
    if (messageId === 'Authorize' && typeof (payload as { idToken?: unknown }).idToken === 'string') {
      payload = { ...(payload as object), idToken: { idToken: (payload as { idToken: string }).idToken, type: 'eMAID' } };
    }
    // Inside the ISO 15118 DataTransfer a SignCertificate is for the V2G (SECC) certificate
    // unless it says otherwise: the charge point's own certificate has the whitepaper's
    // SignCertificate (seen: a V2G CSR signed as a TLS client certificate and installed as one).
    if (messageId === 'SignCertificate' && payload && typeof payload === 'object' && !('certificateType' in payload)) {
      payload = { ...(payload as object), certificateType: 'V2GCertificate' };
    }
    // Read like any CALL of this station: its validation policy applies (lenient tolerates slips).
    const issues = connection.judgeEmbedded(`${messageId}.req (DataTransfer)`, schemas.validate(messageId, 'req', payload));
    if (issues.length) return { status: 'Rejected', data: JSON.stringify({ error: issues.map((i) => i.message).join('; ') }) };
    const action = messageId as keyof PncStationMessages;
    const handler = handlers[action] as (p: unknown, c: OcppConnection) => Promise<object>;
    const answer = await handler(payload, connection);
    const outIssues = schemas.validate(messageId, 'conf', answer);
    if (outIssues.length) throw new Error(`our ${messageId} answer is invalid: ${outIssues.map((i) => i.message).join('; ')}`);
    return { status: 'Accepted', data: JSON.stringify(answer) };
  };
}

/** Sends a 2.0.1 Plug & Charge message to a 1.6 station inside DataTransfer; the answer is checked against the 2.0.1 schema. */
export async function pncCall16<A extends keyof PncCsmsMessages>(c: OcppConnection, action: A, payload: PncCsmsMessages[A]['req'], o?: CallOptions): Promise<PncCsmsMessages[A]['conf']> {
  const schemas = schemasFor('ocpp2.0.1');
  const outIssues = schemas.validate(action, 'req', payload);
  if (outIssues.length) throw new InvalidOutboundError(`invalid ${action} request: ${outIssues.map((i) => i.message).join('; ')}`);
  const r = await call16(c, 'DataTransfer', { vendorId: PNC_VENDOR_ID, messageId: action, data: JSON.stringify(payload) }, o);
  if (r.status !== 'Accepted') throw new RpcError('NotSupported', `the station answered ${action} over DataTransfer with ${r.status}`);
  let answer: unknown;
  try {
    answer = JSON.parse(r.data ?? '');
  } catch {
    throw new RpcError('FormatViolation', `the station's ${action} answer (DataTransfer data) is not JSON`);
  }
  // Read like any answer of this station: its validation policy applies (lenient tolerates slips).
  const refused = c.judgeEmbedded(`${action}.conf (DataTransfer)`, schemas.validate(action, 'conf', answer));
  if (refused.length) throw new RpcError('FormatViolation', `the station's ${action} answer is invalid: ${refused.map((i) => i.message).join('; ')}`);
  return answer as PncCsmsMessages[A]['conf'];
}
