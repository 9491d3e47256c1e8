import type { Session_ConsumerSession as ConsumerSession, Session_Receipt as Receipt, TransactionInfo } from '../proto/types.ts';
import { divideBudget } from './ledger.ts';
import { priceSession, type Tariff } from './pricing.ts';
import { energyWh } from './transactions.ts';

/**
 * The station's own signed meter values in a reading's raw sampledValue JSON, verbatim:
 * 1.6 values with format "SignedData" (e.g. OCMF strings), 2.0.1 `signedMeterValue` objects.
 */
export function signedValuesIn(rawJson: string): string[] {
  let values: unknown;
  try {
    values = JSON.parse(rawJson);
  } catch {
    return [];
  }
  if (!Array.isArray(values)) return [];
  const out: string[] = [];
  for (const v of values as Record<string, unknown>[]) {
    if (v && v.format === 'SignedData' && typeof v.value === 'string') out.push(v.value);
    else if (v && typeof v.signedMeterValue === 'object' && v.signedMeterValue) out.push(JSON.stringify(v.signedMeterValue));
  }
  return out;
}

function seconds(from: string, to: string): number {
  const d = (Date.parse(to) - Date.parse(from)) / 1000;
  return Number.isFinite(d) && d > 0 ? Math.round(d) : 0;
}

/** The receipt of a finished session: energy and time from the transaction, priced by the tariff. */
export function buildReceipt(session: ConsumerSession, tx: TransactionInfo, tariff: Tariff, signedMeterValues: string[], now: Date): Receipt {
  const wh = energyWh(tx);
  const durationS = seconds(tx.startTime, tx.endTime);
  const price = priceSession(tariff, wh, durationS);
  const money = session.budget ? divideBudget(price.total, BigInt(session.budget)) : undefined;
  return {
    sessionId: session.id,
    station: session.station,
    connectorId: tx.connectorId,
    consumerPublicKey: session.consumerPublicKey,
    transaction: tx,
    energyWh: wh,
    durationS,
    tariff,
    energyAmount: price.energyAmount.toString(),
    timeAmount: price.timeAmount.toString(),
    sessionFee: price.sessionFee.toString(),
    totalAmount: price.total.toString(),
    signedMeterValues,
    issuedAt: now.toISOString(),
    stopReason: session.stopReason,
    budget: session.budget,
    spentAmount: money ? money.spent.toString() : '',
    refundAmount: money ? money.refund.toString() : '',
    unpaidAmount: money ? money.unpaid.toString() : '',
  };
}
