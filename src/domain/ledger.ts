// The deposit ledger: what a consumer's 2-of-2 multisig with the gateway can still promise.
// Pure arithmetic over what the chain holds and what the gateway already promised; the
// figures are read by chain/deposit-ledger.ts and shown in every refusal.

/** A payout as the ledger counts it. */
export interface PromisedPayout {
  amount: bigint;
  state: string;
  /** The block it executed in (0: not executed, as far as the gateway knows). */
  executedBlock: number;
}

export interface DepositPosition {
  multisig: string;
  /** The block the chain figures were read at. */
  block: number;
  /** The multisig's free balance at that block. */
  free: bigint;
  /** Payouts approved by the gateway and not executed by that block. */
  promised: bigint;
  /** Budgets of sessions still running or waiting for settlement. */
  reserved: bigint;
  /** Unpaid remainders of settled sessions. */
  owed: bigint;
  /** What a new session may reserve: free − promised − reserved (never negative). */
  available: bigint;
}

/**
 * A payout still weighs on the balance unless the chain executed it at or before the block
 * whose balance was read (then the balance already shows it) or it failed (nothing moved).
 */
export function stillPromised(p: PromisedPayout, block: number): boolean {
  if (p.state === 'failed') return false;
  return !(p.state === 'executed' && p.executedBlock > 0 && p.executedBlock <= block);
}

const sum = (xs: bigint[]): bigint => xs.reduce((a, b) => a + b, 0n);

export function depositPosition(i: {
  multisig: string; block: number; free: bigint; payouts: PromisedPayout[]; reservations: bigint[]; debts: bigint[];
}): DepositPosition {
  const promised = sum(i.payouts.filter((p) => stillPromised(p, i.block)).map((p) => p.amount));
  const reserved = sum(i.reservations);
  const owed = sum(i.debts);
  const left = i.free - promised - reserved;
  return { multisig: i.multisig, block: i.block, free: i.free, promised, reserved, owed, available: left > 0n ? left : 0n };
}

/** How a session's budget divides when it ends: spent + refund = budget, and what it cost beyond. */
export function divideBudget(cost: bigint, budget: bigint): { spent: bigint; refund: bigint; unpaid: bigint } {
  const spent = cost < budget ? cost : budget;
  return { spent, refund: budget - spent, unpaid: cost - spent };
}

/** The figures of a position, as a refusal or a status line shows them. */
export function describePosition(p: DepositPosition, format: (amount: bigint) => string): string {
  return `the multisig ${p.multisig} holds ${format(p.free)} at block ${p.block}; ${format(p.promised)} is promised to payouts not yet executed, `
    + `${format(p.reserved)} is reserved by running sessions${p.owed ? `, ${format(p.owed)} is owed from earlier sessions` : ''}; ${format(p.available)} is available`;
}
