import type { KeyringPair } from '@polkadot/keyring/types';
import type { ChainClient } from '../chain/client.ts';
import { buildDidDocument, p2pEndpoint, publishDidDocument } from '../chain/did.ts';
import type { ChargePointService } from '../src/domain/charge-point-service.ts';
import type { GatewayKey } from '../src/crypto/gateway-key.ts';
import type { Logger } from '../src/log/logger.ts';
import { SerialTask } from '../src/serial-task.ts';
import type { Config } from './config/schema.ts';
import type { RunningChain } from './chain.ts';

/**
 * Keeps the gateway's peaq DID document on chain (where the peaqDid pallet exists): published
 * when the chain (re)connects and again when a station the document does not list yet
 * becomes ready. One publication at a time; an unchanged document costs nothing.
 */
export function startDidPublisher(o: {
  chain: RunningChain; account: KeyringPair; key: GatewayKey; multiaddrs: () => string[]; service: ChargePointService; config: Config; log: Logger;
}): { stationReady(identity: string): void; stop(): Promise<void> } {
  let listed = new Set<string>();
  const publish = async (): Promise<void> => {
    const client: ChainClient | undefined = o.chain.client();
    if (!client) return;
    if (!client.shape.peaqDid) {
      o.log.info('this chain has no peaqDid pallet; the DID document is not published', { specName: client.shape.specName });
      return;
    }
    const endpoint = p2pEndpoint(o.multiaddrs());
    if (!endpoint) {
      o.log.warn('no /ip4/<ip>/tcp/<port>/p2p/<peer> address to publish in the DID document');
      return;
    }
    const identities = o.service.identities().sort();
    const states = await Promise.all(identities.map((id) => o.service.state(id)));
    const doc = buildDidDocument({
      publicKey: o.key.publicKey, address: o.account.address, payment: o.account.address, p2p: endpoint, name: 'charging-gateway',
      pricePerKwh: Number(BigInt(o.config.tariff.pricePerKwh)) / 10 ** o.config.tariff.decimals,
      stations: states.filter((st) => st !== undefined).map((st) => ({
        identity: st.id, connectors: Object.keys(st.connectors).filter((k) => k !== '0').length, available: true,
      })),
      sign: o.key.sign,
    });
    const inclusion = await publishDidDocument(client, o.account, doc);
    listed = new Set(identities);
    if (inclusion) o.log.info('DID document published', { did: doc.id, block: inclusion.blockNumber, stations: identities.length });
    else o.log.info('DID document on chain is current', { did: doc.id, stations: identities.length });
  };
  const task = new SerialTask(publish, (err) => o.log.warn('publishing the DID document failed; tried again on the next connection', { err: (err as Error).message }));
  o.chain.onReady(async () => task.request());
  return {
    stationReady(identity) {
      if (!listed.has(identity) && o.chain.client()) task.request();
    },
    // A publication under way is let finish: abandoned, its transaction could still land later.
    async stop() {
      task.close();
      await task.current;
    },
  };
}
