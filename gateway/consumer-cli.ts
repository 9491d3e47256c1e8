import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { ConsumerClient, type GatewayEvent } from '../src/consumer/client.ts';
import { verifyReceipt } from '../src/consumer/receipts.ts';
import { ed25519Signer, sr25519Signer, type ConsumerSigner } from '../src/consumer/signer.ts';
import type { Session_Receipt as Receipt } from '../src/proto/types.ts';

export const CONSUMER_HELP = `charging-gateway consumer: drive a charging session from a terminal, as a wallet would

Usage:
  charging-gateway consumer keygen [--scheme sr25519|ed25519]
  charging-gateway consumer <command> --gateway MULTIADDR [--seed HEX] [--scheme sr25519|ed25519]
    availability STATION CONNECTOR   can a session start there now?
    authorize STATION                put this key on the station's local list
    start STATION CONNECTOR          remote start (waits for the station to start)
    stop STATION CONNECTOR           remote stop; prints the signed, verified receipt
    status STATION                   this key's session on the station
    charge STATION CONNECTOR         authorize, start, show live progress; Ctrl-C stops and prints the receipt
    contract EMAID [--remove]        Plug & Charge: sessions a station authorizes with this contract are billed to this key

The key: --seed (32 bytes hex) or CGW_CONSUMER_SEED; keygen makes one. MULTIADDR is one the gateway
logs at start ("p2p": [...]), ending in /p2p/<peer id>.`;

async function signerFrom(seedHex: string | undefined, scheme: string): Promise<ConsumerSigner> {
  if (!seedHex) throw new Error('a key is needed: --seed HEX or CGW_CONSUMER_SEED (make one with `consumer keygen`)');
  const seed = Buffer.from(seedHex.replace(/^0x/, ''), 'hex');
  if (seed.length !== 32) throw new Error('the seed must be 32 bytes of hex');
  return scheme === 'ed25519' ? ed25519Signer(seed) : sr25519Signer(seed);
}

const print = (value: unknown): void => console.log(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2));

function receiptSummary(r: Receipt): Record<string, unknown> {
  return {
    session: r.sessionId, station: r.station, connector: r.connectorId, energyWh: r.energyWh, durationS: r.durationS,
    energyAmount: r.energyAmount, timeAmount: r.timeAmount, sessionFee: r.sessionFee, total: r.totalAmount,
    currency: r.tariff?.currency, decimals: r.tariff?.decimals, signedMeterValues: r.signedMeterValues.length,
  };
}

/** `charging-gateway consumer ...`; returns the exit code. */
export async function consumerMain(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      gateway: { type: 'string', short: 'g' }, seed: { type: 'string' }, scheme: { type: 'string', default: 'sr25519' }, remove: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, station = '', connectorText = '1'] = positionals;
  if (values.help || !command) {
    console.log(CONSUMER_HELP);
    return 0;
  }
  if (values.scheme !== 'sr25519' && values.scheme !== 'ed25519') throw new Error('--scheme is sr25519 or ed25519');
  if (command === 'keygen') {
    const seed = randomBytes(32).toString('hex');
    const signer = await signerFrom(seed, values.scheme);
    print({ seed: `0x${seed}`, scheme: values.scheme, address: signer.address, publicKey: signer.hex });
    return 0;
  }
  const gateway = values.gateway ?? process.env.CGW_GATEWAY;
  if (!gateway) throw new Error('--gateway MULTIADDR is needed (the gateway logs its addresses at start)');
  if (!station) throw new Error(`${command} needs ${command === 'contract' ? 'an eMAID' : 'a station identity'}`);
  const connectorId = Number(connectorText);
  if (!Number.isInteger(connectorId) || connectorId < 0) throw new Error(`connector must be a number, got "${connectorText}"`);
  const signer = await signerFrom(values.seed ?? process.env.CGW_CONSUMER_SEED, values.scheme);
  const client = await ConsumerClient.connect({ gateway, signer });
  try {
    switch (command) {
      case 'availability':
        print(await client.checkAvailability(station, connectorId));
        return 0;
      case 'authorize':
        print({ authorized: await client.authorize(station), address: signer.address });
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
      case 'charge':
        return await charge(client, station, connectorId);
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

/** The whole session with a live line of progress; Ctrl-C (or the station) ends it. */
async function charge(client: ConsumerClient, station: string, connectorId: number): Promise<number> {
  const tty = process.stdout.isTTY;
  let receiptEnvelope: Uint8Array | undefined;
  let ended: () => void = () => {};
  const endedByStation = new Promise<void>((resolve) => { ended = resolve; });
  await client.follow(client.topic, (e: GatewayEvent) => {
    const p = e.event.evChargeStatusData;
    if (e.event.eventId === 'EV_CHARGE_STATUS' && p) {
      const line = `charging: ${((p.energyWh ?? 0) / 1000).toFixed(3)} kWh  ${p.currentOffered.toFixed(1)} A  ${p.voltageOffered.toFixed(0)} V`;
      if (tty) process.stdout.write(`\r${line}   `);
      else console.log(line);
    }
    if (e.event.eventId === 'STOP_TRANSACTION_RESPONSE') {
      receiptEnvelope = e.envelope;
      ended();
    }
  });
  console.log(await client.authorize(station));
  console.log(await client.start(station, connectorId));
  console.log('charging; press Ctrl-C to stop');
  const interrupted = new Promise<'stop'>((resolve) => process.once('SIGINT', () => resolve('stop')));
  const how = await Promise.race([interrupted, endedByStation.then(() => 'station' as const)]);
  if (tty) process.stdout.write('\n');
  let receipt: Receipt;
  if (how === 'stop') {
    receipt = await client.stop(station, connectorId);
  } else {
    receipt = await verifyReceipt(receiptEnvelope!, client.gatewayKey);
    console.log('the station ended the session');
  }
  print({ receipt: receiptSummary(receipt), verified: true });
  return 0;
}
