import { CodedError } from '../coded-error.ts';
import type { ContractRecords, ContractRegistration } from '../domain/ports.ts';

export type ContractErrorCode = 'InvalidRequest' | 'Conflict' | 'NotYourContract' | 'UnknownContract';

/** A refused registration, with a code a wallet can act on. */
export class ContractError extends CodedError<ContractErrorCode> {}

// An eMAID (ISO 15118 / DIN SPEC 91286): country (2 letters), provider (3), instance (9,
// usually "C" + 8) and an optional check character; written with or without hyphens.
const EMAID = /^[A-Z]{2}[A-Z0-9]{3}[A-Z0-9]{9}[A-Z0-9]?$/;

/** The one form an eMAID is stored and looked up in: upper case, without hyphens. */
export function normalizeEmaid(text: string): string {
  const emaid = text.trim().replace(/-/g, '').toUpperCase();
  if (!EMAID.test(emaid)) throw new ContractError('InvalidRequest', `${text} is not an eMAID (e.g. DE-8AA-C12345678-X)`);
  return emaid;
}

export interface ContractHolder {
  /** The consumer's key as they sent it (SS58 or hex). */
  keyText: string;
  keyHex: string;
}

/**
 * Which consumer a contract belongs to. The first consumer to register an eMAID owns it
 * until they remove it; nobody else can take it over.
 */
export class ContractRegistry {
  private readonly records: ContractRecords;
  private readonly now: () => Date;
  // Registrations are rare: one at a time keeps "check, then write" free of races.
  private tail: Promise<unknown> = Promise.resolve();

  constructor(records: ContractRecords, now: () => Date = () => new Date()) {
    this.records = records;
    this.now = now;
  }

  register(holder: ContractHolder, emaidText: string): Promise<ContractRegistration> {
    const emaid = normalizeEmaid(emaidText);
    return this.serialised(async () => {
      const existing = await this.records.contract(emaid);
      if (existing && existing.consumerKeyHex !== holder.keyHex) throw new ContractError('Conflict', `${emaid} is registered by another consumer`);
      if (existing) return existing;
      const registration = { emaid, consumerPublicKey: holder.keyText, consumerKeyHex: holder.keyHex, registeredAt: this.now().toISOString() };
      await this.records.putContract(registration);
      return registration;
    });
  }

  unregister(holder: ContractHolder, emaidText: string): Promise<ContractRegistration> {
    const emaid = normalizeEmaid(emaidText);
    return this.serialised(async () => {
      const existing = await this.records.contract(emaid);
      if (!existing) throw new ContractError('UnknownContract', `${emaid} is not registered`);
      if (existing.consumerKeyHex !== holder.keyHex) throw new ContractError('NotYourContract', `${emaid} is registered by another consumer`);
      await this.records.deleteContract(existing);
      return existing;
    });
  }

  /** The registration of an eMAID in any accepted spelling; undefined when unknown or malformed. */
  async holderOf(emaidText: string): Promise<ContractRegistration | undefined> {
    let emaid: string;
    try {
      emaid = normalizeEmaid(emaidText);
    } catch {
      return undefined;
    }
    return this.records.contract(emaid);
  }

  contractsOf(keyHex: string): Promise<ContractRegistration[]> {
    return this.records.contractsOf(keyHex);
  }

  private serialised<T>(task: () => Promise<T>): Promise<T> {
    const run = this.tail.then(task, task);
    this.tail = run.catch(() => undefined);
    return run;
  }
}
