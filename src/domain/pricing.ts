import type { Session_Tariff as Tariff } from '../proto/types.ts';

export type { Tariff };

export interface Price {
  energyAmount: bigint;
  timeAmount: bigint;
  sessionFee: bigint;
  total: bigint;
}

/** a * b / c rounded half up, in integers (amounts are in the chain's smallest unit). */
function mulDivRound(a: bigint, b: bigint, c: bigint): bigint {
  return (a * b * 2n + c) / (2n * c);
}

/**
 * What a session costs. Energy: Wh × price per kWh / 1000. Time: seconds × price per
 * minute / 60. Each part is rounded half up to the smallest unit on its own, then the
 * session fee is added. Everything is exact integer arithmetic (BigInt).
 */
export function priceSession(tariff: Tariff, energyWh: number, durationS: number): Price {
  const energyAmount = mulDivRound(BigInt(Math.max(0, Math.round(energyWh))), BigInt(tariff.pricePerKwh || '0'), 1000n);
  const timeAmount = mulDivRound(BigInt(Math.max(0, Math.round(durationS))), BigInt(tariff.pricePerMinute || '0'), 60n);
  const sessionFee = BigInt(tariff.sessionFee || '0');
  return { energyAmount, timeAmount, sessionFee, total: energyAmount + timeAmount + sessionFee };
}
