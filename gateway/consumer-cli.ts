import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { ConsumerClient, type GatewayEvent } from '../src/consumer/client.ts';
import { verifyReceipt } from '../src/consumer/receipts.ts';
import { pairFromSecret, pairSigner, signerFromSecret, type ConsumerSigner } from '../src/consumer/signer.ts';
import { formatAmount, parseAmount } from '../src/domain/amounts.ts';
import type { Session_Receipt as Receipt } from '../src/proto/types.ts';

export const CONSUMER_HELP = `charging-gateway consumer: drive a charging session from a terminal, as a wallet would

Usage:
  charging-gateway consumer keygen [--scheme sr25519|ed25519]
  charging-gateway consumer <command> --gateway MULTIADDR [--seed SECRET] [--scheme sr25519|ed25519]
    availability STATION CONNECTOR   can a session start there now?
    authorize STATION [--budget AMOUNT]  put this key on the station's local list, reserving AMOUNT of the deposit
    start STATION CONNECTOR          remote start (waits for the station to start)
    stop STATION CONNECTOR           remote stop; prints the signed, verified receipt
    status STATION                   this key's session on the station
    reserve STATION CONNECTOR [--minutes N] [--budget AMOUNT]  hold the connector for this key for N minutes (default 15, or the gateway's maximum if less)
    cancel STATION                   give up this key's authorization or reservation that has not started
    charge STATION CONNECTOR [--budget AMOUNT]  authorize, start, show live progress; Ctrl-C stops and prints the receipt
    contract EMAID [--remove]        Plug & Charge: sessions a station authorizes with this contract are billed to this key
  On the chain (--chain WS or CGW_CHAIN_ENDPOINT, default ws://127.0.0.1:9944; --chain-timeout SEC
  for reaching it, default 30):
    fund AMOUNT                      pay AMOUNT from this key into the deposit (the multisig of this key and the gateway)
    deposit                          the deposit's balance and the payouts open on it
    approve                          check and execute every payout the gateway asks for (SERVICE_DELIVERED)

The key (--seed or CGW_CONSUMER_SEED): a 32-byte hex seed (keygen makes one), a mnemonic, or a
SURI such as //Alice on a development chain. MULTIADDR is one the gateway logs at start
("p2p": [...]), ending in /p2p/<peer id>. AMOUNT: "2 PEAQ" or 1.5 in whole tokens, or a bare
integer in the smallest unit; the default budget is the gateway's chain.minimumDeposit.`;

async function signerFrom(secret: string | undefined, scheme: 'sr25519' | 'ed25519'): Promise<ConsumerSigner> {
  if (!secret) throw new Error('a key is needed: --seed SECRET or CGW_CONSUMER_SEED (make one with `consumer keygen`)');
  return signerFromSecret(secret, scheme);
}

const print = (value: unknown): void => console.log(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2));

/** The receipt for a person: amounts as text ("0.015 PEAQ") beside the smallest units. */
function receiptSummary(r: Receipt): Record<string, unknown> {
  const amount = (units: string) => (units === '' ? undefined : { text: formatAmount(BigInt(units), r.tariff?.decimals ?? 18, r.tariff?.currency ?? ''), units });
  return {
    session: r.sessionId, station: r.station, connector: r.connectorId, energyWh: r.energyWh, durationS: r.durationS,
    energyAmount: amount(r.energyAmount), timeAmount: amount(r.timeAmount), sessionFee: amount(r.sessionFee), total: amount(r.totalAmount),
    // With a chain: the budget reserved from the deposit and how it divides.
    budget: amount(r.budget), spent: amount(r.spentAmount), refund: amount(r.refundAmount), unpaid: amount(r.unpaidAmount),
    ...(r.stopReason ? { stoppedBecause: r.stopReason } : {}),
    signedMeterValues: r.signedMeterValues.length,
  };
}

/** `charging-gateway consumer ...`; returns the exit code. */
export async function consumerMain(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      gateway: { type: 'string', short: 'g' }, seed: { type: 'string' }, scheme: { type: 'string', default: 'sr25519' }, remove: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      budget: { type: 'string' }, minutes: { type: 'string' }, chain: { type: 'string' }, 'chain-timeout': { type: 'string' },
    },
  });
  const [command, station = '', connectorText = '1'] = positionals;
  if (values.help || !command) {
    console.log(CONSUMER_HELP);
    return 0;
  }
  const scheme = values.scheme;
  if (scheme !== 'sr25519' && scheme !== 'ed25519') throw new Error('--scheme is sr25519 or ed25519');
  if (command === 'keygen') {
    const seed = `0x${randomBytes(32).toString('hex')}`;
    const signer = await signerFrom(seed, scheme);
    print({ seed, scheme, address: signer.address, publicKey: signer.hex });
    return 0;
  }
  const gateway = values.gateway ?? process.env.CGW_GATEWAY;
  if (!gateway) throw new Error('--gateway MULTIADDR is needed (the gateway logs its addresses at start)');
  if (command === 'fund' || command === 'deposit' || command === 'approve') {
    const timeoutSec = Number(values['chain-timeout'] ?? 30);
    if (!(timeoutSec > 0)) throw new Error(`--chain-timeout is a number of seconds, got "${values['chain-timeout']}"`);
    return onChain(command, { gateway, secret: values.seed ?? process.env.CGW_CONSUMER_SEED, scheme, amount: station, endpoint: values.chain ?? process.env.CGW_CHAIN_ENDPOINT ?? 'ws://127.0.0.1:9944', timeoutMs: timeoutSec * 1000 });
  }
  if (!station) throw new Error(`${command} needs ${command === 'contract' ? 'an eMAID' : 'a station identity'}`);
  const connectorId = Number(connectorText);
  if (!Number.isInteger(connectorId) || connectorId < 0) throw new Error(`connector must be a number, got "${connectorText}"`);
  // Ctrl-C from here on ends cleanly (before, nothing has been asked of the gateway yet).
  const interrupt = command === 'charge' ? new Interrupt() : undefined;
  const signer = await signerFrom(values.seed ?? process.env.CGW_CONSUMER_SEED, scheme);
  // The budget's decimals are the tariff's; without a chain connection here, amounts in
  // whole tokens assume the 18 decimals of PEAQ.
  const budget = values.budget === undefined ? undefined : parseAmount(values.budget, 18, 'PEAQ');
  const client = await ConsumerClient.connect({ gateway, signer });
  try {
    switch (command) {
      case 'availability':
        print(await client.checkAvailability(station, connectorId));
        return 0;
      case 'authorize':
        print({ authorized: await client.authorize(station, budget === undefined ? {} : { budget }), address: signer.address });
        return 0;
      case 'start':
        print({ started: await client.start(station, connectorId) });
        return 0;
      case 'stop':
        print({ receipt: receiptSummary(await client.stop(station, connectorId)) });
        return 0;
      case 'status':
        print(await client.status(station));
        return 0;
      case 'reserve': {
        const minutes = values.minutes === undefined ? undefined : Number(values.minutes);
        if (minutes !== undefined && !(Number.isInteger(minutes) && minutes > 0)) throw new Error(`--minutes is a whole number of minutes, got "${values.minutes}"`);
        const session = await client.reserve(station, connectorId, { ...(minutes === undefined ? {} : { minutes }), ...(budget === undefined ? {} : { budget }) });
        print({ reserved: { station: session.station, connector: session.connectorId, until: session.expiresAt, reservationId: session.reservationId, session: session.id, budget: session.budget || undefined }, address: signer.address });
        return 0;
      }
      case 'cancel': {
        const session = await client.cancel(station);
        print(session ? { cancelled: true, session: session.id } : { cancelled: false, message: 'nothing to cancel' });
        return 0;
      }
      case 'charge':
        return await charge(client, station, connectorId, budget, interrupt!);
      case 'contract':
        print(await client.registerContract(station, { remove: values.remove ?? false }));
        return 0;
      default:
        throw new Error(`unknown consumer command "${command}"\n\n${CONSUMER_HELP}`);
    }
  } finally {
    await client.close();
  }
}

/**
 * The whole session with a live line of progress; Ctrl-C (or the station) ends it. Ctrl-C at
 * any moment ends in a stopped session with its receipt, or in no session at all: before the
 * start, the authorization is cancelled; during it, the session is stopped once started.
 * Only this session's events count (the history may hold earlier sessions of the same key).
 */
async function charge(client: ConsumerClient, station: string, connectorId: number, budget: bigint | undefined, interrupt: Interrupt): Promise<number> {
  const tty = process.stdout.isTTY;
  try {
    if (interrupt.asked) return noSession();
    console.log(await client.authorize(station, budget === undefined ? {} : { budget }));
    if (interrupt.asked) return await cancelled(client, station);
    try {
      console.log(await client.start(station, connectorId));
    } catch (err) {
      if (!interrupt.asked) throw err;
      return await cancelled(client, station);
    }
    const sessionId = (await client.status(station)).session?.id;
    let receiptEnvelope: Uint8Array | undefined;
    let ended: () => void = () => {};
    const endedByStation = new Promise<void>((resolve) => { ended = resolve; });
    await client.follow(client.topic, (e: GatewayEvent) => {
      const p = e.event.evChargeStatusData;
      if (e.event.eventId === 'EV_CHARGE_STATUS' && p && p.sessionId === sessionId && !interrupt.asked) {
        const line = `charging: ${((p.energyWh ?? 0) / 1000).toFixed(3)} kWh  ${p.currentOffered.toFixed(1)} A  ${p.voltageOffered.toFixed(0)} V`;
        if (tty) process.stdout.write(`\r${line}   `);
        else console.log(line);
      }
      if (e.event.eventId === 'STOP_TRANSACTION_RESPONSE' && e.event.stopTransactionResponseData?.receipt?.sessionId === sessionId) {
        receiptEnvelope = e.envelope;
        ended();
      }
    });
    if (!interrupt.asked) console.log('charging; press Ctrl-C to stop');
    const how = await Promise.race([interrupt.promise.then(() => 'stop' as const), endedByStation.then(() => 'station' as const)]);
    let receipt: Receipt;
    if (how === 'stop' && !receiptEnvelope) {
      receipt = await client.stop(station, connectorId).catch(async (err: unknown) => {
        // The station ended it meanwhile: its receipt is on the way as an event.
        await Promise.race([endedByStation, new Promise((r) => setTimeout(r, 10_000))]);
        if (!receiptEnvelope) throw err;
        return verifyReceipt(receiptEnvelope, client.gatewayKey);
      });
    } else {
      receipt = await verifyReceipt(receiptEnvelope!, client.gatewayKey);
      console.log('the station ended the session');
    }
    if (tty) process.stdout.write('\n');
    print({ receipt: receiptSummary(receipt), verified: true });
    return 0;
  } finally {
    interrupt.release();
  }
}

/** Ctrl-C (SIGINT) or SIGTERM, noted rather than fatal, so that the session is ended properly. */
class Interrupt {
  asked = false;
  readonly promise: Promise<void>;
  private readonly onSignal: () => void;

  constructor() {
    let wake: () => void = () => {};
    this.promise = new Promise((resolve) => { wake = resolve; });
    this.onSignal = () => {
      if (!this.asked) console.error(process.stdout.isTTY ? '\nstopping…' : 'stopping…');
      this.asked = true;
      wake();
    };
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  release(): void {
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }
}

function noSession(): number {
  print({ cancelled: true, session: null, message: 'no session: stopped before anything was asked of the gateway' });
  return 0;
}

/** Interrupted before charging began: nothing is left behind. */
async function cancelled(client: ConsumerClient, station: string): Promise<number> {
  const session = await client.cancel(station).catch(() => undefined);
  print({ cancelled: true, session: session?.id ?? null, message: 'no session: the authorization was given up before charging began' });
  return 0;
}

/** `fund`, `deposit` and `approve`: the consumer's own steps on chain, with the same key. */
async function onChain(command: 'fund' | 'deposit' | 'approve', o: { gateway: string; secret: string | undefined; scheme: 'sr25519' | 'ed25519'; amount: string; endpoint: string; timeoutMs: number }): Promise<number> {
  if (!o.secret) throw new Error('a key is needed: --seed SECRET or CGW_CONSUMER_SEED');
  if (!o.gateway.includes('/p2p/')) throw new Error('--gateway must be the gateway\'s multiaddr ending in /p2p/<peer id>');
  // The chain side (@polkadot/api) loads only for these commands.
  const { announcedPayouts, approveAll, amountOut, depositStatus, fund, gatewayKeyFrom } = await import('../chain/consumer-actions.ts');
  const { withChain } = await import('../chain/scripts/script.ts');
  const pair = await pairFromSecret(o.secret, o.scheme);
  const gatewayKey = gatewayKeyFrom(o.gateway);
  if (command === 'fund' && !o.amount) throw new Error('fund needs an AMOUNT, e.g. "2 PEAQ"');
  await withChain(o.endpoint, o.timeoutMs, async (chain) => {
    if (command === 'fund') {
      print(await fund(chain, pair, gatewayKey, parseAmount(o.amount, chain.shape.decimals, chain.shape.symbol)));
    } else if (command === 'deposit') {
      const client = await ConsumerClient.connect({ gateway: o.gateway, signer: pairSigner(pair), timeoutMs: 30_000 });
      try {
        print(await depositStatus(chain, pair.publicKey, gatewayKey, await announcedPayouts(client)));
      } finally {
        await client.close();
      }
    } else {
      const client = await ConsumerClient.connect({ gateway: o.gateway, signer: pairSigner(pair), timeoutMs: 30_000 });
      try {
        const { approvals, message } = await approveAll(chain, client, pair);
        print({ message, payouts: approvals.map((a) => ({ session: a.sessionId, kind: a.kind, amount: amountOut(chain, a.amount), outcome: a.outcome, block: a.inclusion?.blockNumber })) });
      } finally {
        await client.close();
      }
    }
  });
  return 0;
}
