/** An amount in the chain's smallest unit as text a person reads: 1500000000000000000 → "1.5 PEAQ". */
export function formatAmount(amount: bigint, decimals: number, symbol: string): string {
  const negative = amount < 0n;
  const abs = negative ? -amount : amount;
  const scale = 10n ** BigInt(decimals);
  const whole = abs / scale;
  const fraction = (abs % scale).toString().padStart(decimals, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''} ${symbol}`;
}

/**
 * Reads an amount a person typed. With a decimal point or the currency ("1.5", "2 PEAQ",
 * "2PEAQ") it is in whole tokens; a bare integer is in the smallest unit, as on the wire.
 * Throws with the reason for anything else.
 */
export function parseAmount(text: string, decimals: number, symbol: string): bigint {
  const t = text.trim();
  if (/^\d+$/.test(t)) return BigInt(t);
  const m = new RegExp(`^(\\d+)(?:\\.(\\d+))?\\s*(${symbol.replace(/\W/g, '')})?$`, 'i').exec(t);
  if (!m || (m[2] === undefined && !m[3] && !t.includes('.'))) {
    throw new Error(`not an amount: "${text}" (write 1.5 or "2 ${symbol}" in whole tokens, or a bare integer in the smallest unit)`);
  }
  const fraction = m[2] ?? '';
  if (fraction.length > decimals) throw new Error(`"${text}" has more than ${decimals} decimals`);
  return BigInt(m[1]!) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, '0') || '0');
}
