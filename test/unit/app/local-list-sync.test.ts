// The local-list use case over the domain service and the in-memory storage double, with a
// station double that keeps its list the way OCPP says a charger does (version, entries, a
// maximum per message). What it proves: the stations end with our list, and our stored version
// moves only with what a station accepted.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LocalListSync } from '../../../src/app/local-list-sync.ts';
import type { ListUpdateStatus, LocalListEntry, StationLink, StationLinks } from '../../../src/app/station-link.ts';
import { ChargePointService } from '../../../src/domain/charge-point-service.ts';
import type { ChargePointState } from '../../../src/domain/model.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { MemoryStoreDouble } from '../../helpers/memory-store.ts';

const NOW = new Date('2026-12-06T10:00:00Z');
const TARIFF = { pricePerKwh: '0', pricePerMinute: '0', sessionFee: '0', currency: 'PEAQ', decimals: 18 };

/** A station's local list as a charger keeps it; `answers` scripts refusals of the next updates. */
class ListKeepingStation {
  version = 0;
  readonly list = new Map<string, LocalListEntry>();
  readonly received: { version: number; full: boolean; size: number }[] = [];
  answers: ListUpdateStatus[] = [];
  readonly maxLength: number | undefined;
  constructor(maxLength: number | undefined) {
    this.maxLength = maxLength;
  }

  link(): StationLink {
    const unused = () => Promise.reject(new Error('not part of this use case'));
    return {
      sendLocalList: async (update) => {
        this.received.push({ version: update.version, full: update.full, size: update.entries.length });
        const scripted = this.answers.shift();
        if (scripted && scripted !== 'Accepted') return scripted;
        if (update.full) this.list.clear();
        for (const e of update.entries) {
          if (e.status) this.list.set(e.idTag, e);
          else this.list.delete(e.idTag);
        }
        this.version = update.version;
        return 'Accepted';
      },
      getLocalListVersion: async () => this.version,
      localListMaxLength: async () => this.maxLength,
      remoteStart: unused, remoteStop: unused, trigger: unused, unlock: unused, changeAvailability: unused,
      installCertificate: unused, deleteCertificate: unused, installedCertificates: unused, certificateSigned: unused,
      reset: unused, clearCache: unused, dataTransfer: unused, call: unused, readConfiguration: unused, changeConfiguration: unused, reserveNow: unused, cancelReservation: unused, updateFirmware: unused, requestLog: unused,
    };
  }
}

function setup(maxLength?: number) {
  const store = new MemoryStoreDouble();
  const service = new ChargePointService({ repository: store, authorization: { acceptUnknownIdTags: false }, tariff: TARIFF, now: () => NOW });
  const station = new ListKeepingStation(maxLength);
  const link = station.link();
  const links: StationLinks = { isConnected: () => true, for: () => link };
  const sync = new LocalListSync({ service, commands: links, defaultMaxLength: 3, log: silentLogger, now: () => NOW });
  const addTags = (identity: string, tags: string[]) => service.update(identity, ({ state }) => {
    for (const idTag of tags) {
      state.authList[idTag] = { publicKey: '', transactionId: 0, authData: { idTag, idTagInfo: { expiryDate: '', parentIdTag: '', status: 'Accepted' } } };
    }
    state.localListDirty = true;
  });
  const stored = async (identity: string): Promise<ChargePointState> => (await store.stations.loadState(identity))!;
  return { store, service, station, sync, addTags, stored };
}

const tags = (n: number) => Array.from({ length: n }, (_, i) => `TAG${i}`);
const entries = (list: string[]): LocalListEntry[] => list.map((idTag) => ({ idTag, status: 'Accepted' }));

describe('local list sync (app layer, in-memory storage double)', () => {
  it('splits a long list by the station\'s maximum and stores each version it accepted', async () => {
    const { station, sync, addTags, stored } = setup(2);
    await addTags('LL-1', tags(5));
    assert.equal(await sync.fullSync('LL-1'), 'Accepted');
    assert.deepEqual(station.received, [{ version: 1, full: true, size: 2 }, { version: 2, full: false, size: 2 }, { version: 3, full: false, size: 1 }]);
    assert.deepEqual([...station.list.keys()].sort(), tags(5));
    assert.equal((await stored('LL-1')).currentAuthListVersion, 3);
    assert.equal((await stored('LL-1')).localListDirty, false);
  });

  it('uses the configured maximum when the station reports none', async () => {
    const { station, sync, addTags } = setup(undefined);
    await addTags('LL-2', tags(4));
    await sync.fullSync('LL-2');
    assert.deepEqual(station.received.map((r) => r.size), [3, 1]);
  });

  it('answers a refused differential update with the full list, and stores only accepted versions', async () => {
    const { station, sync, addTags, stored } = setup(10);
    await addTags('LL-3', tags(2));
    await sync.fullSync('LL-3');
    station.list.clear();
    station.version = 9;
    station.answers = ['VersionMismatch'];
    assert.equal(await sync.apply('LL-3', entries(['TAG2'])), 'Accepted');
    assert.deepEqual(station.received.slice(1).map((r) => [r.version, r.full]), [[2, false], [2, true]], 'the refused version is offered again, in full');
    assert.deepEqual([...station.list.keys()].sort(), ['TAG0', 'TAG1'], 'the station holds our copy of the list');
    assert.equal((await stored('LL-3')).currentAuthListVersion, 2);
  });

  it('keeps the stored version when the station refuses the full list too', async () => {
    const { station, sync, addTags, stored } = setup(10);
    await addTags('LL-4', tags(1));
    station.answers = ['Failed'];
    assert.equal(await sync.fullSync('LL-4'), 'Failed');
    assert.equal((await stored('LL-4')).currentAuthListVersion, 0);
    assert.equal((await stored('LL-4')).localListDirty, true, 'still to be sent');
  });

  it('after a reconnect sends nothing when the station holds our version, and the full list when it does not', async () => {
    const { station, sync, addTags } = setup(10);
    await addTags('LL-5', tags(2));
    await sync.fullSync('LL-5');
    assert.equal(await sync.reconcile('LL-5'), 'InSync');
    assert.equal(station.received.length, 1);
    station.version = 0;
    station.list.clear();
    assert.equal(await sync.reconcile('LL-5'), 'Accepted');
    assert.deepEqual([...station.list.keys()].sort(), ['TAG0', 'TAG1']);
  });

  it('runs one update at a time per station, so versions never race', async () => {
    const { station, sync, addTags, stored } = setup(10);
    await addTags('LL-6', tags(1));
    await Promise.all([sync.fullSync('LL-6'), sync.apply('LL-6', entries(['X1'])), sync.apply('LL-6', entries(['X2']))]);
    assert.deepEqual(station.received.map((r) => r.version), [1, 2, 3]);
    assert.equal((await stored('LL-6')).currentAuthListVersion, 3);
  });
});
