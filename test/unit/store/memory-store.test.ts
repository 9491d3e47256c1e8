import { MemoryStoreDouble } from '../../helpers/memory-store.ts';
import { repositorySuite } from './repository-suite.ts';

repositorySuite('in-memory double', async () => ({ repos: new MemoryStoreDouble(), close: async () => {} }));
