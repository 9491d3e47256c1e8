import { codecFor } from '../proto/codec.ts';
import type { ContractRecords, ContractRegistration } from '../domain/ports.ts';
import { EMPTY, type LevelDatabase } from './level-database.ts';
import { keys } from './keys.ts';

const contractCodec = codecFor('store.ContractRegistration');

/** Plug & Charge contracts (eMAID) registered by consumers, by eMAID and by consumer. */
export class LevelContractRecords implements ContractRecords {
  private readonly db: LevelDatabase;

  constructor(db: LevelDatabase) {
    this.db = db;
  }

  async contract(emaid: string): Promise<ContractRegistration | undefined> {
    const value = await this.db.get(keys.contract(emaid));
    return value ? contractCodec.decode(value) : undefined;
  }

  async contractsOf(consumerKeyHex: string): Promise<ContractRegistration[]> {
    const out: ContractRegistration[] = [];
    for await (const key of this.db.keys(keys.consumerContractRange(consumerKeyHex))) {
      const found = await this.contract(key.slice(key.lastIndexOf(':') + 1));
      if (found) out.push(found);
    }
    return out;
  }

  async putContract(registration: ContractRegistration): Promise<void> {
    await this.db.write([
      { type: 'put', key: keys.contract(registration.emaid), value: contractCodec.encode(registration) },
      { type: 'put', key: keys.consumerContract(registration.consumerKeyHex, registration.emaid), value: EMPTY },
    ]);
  }

  async deleteContract(registration: ContractRegistration): Promise<void> {
    await this.db.write([
      { type: 'del', key: keys.contract(registration.emaid) },
      { type: 'del', key: keys.consumerContract(registration.consumerKeyHex, registration.emaid) },
    ]);
  }
}
