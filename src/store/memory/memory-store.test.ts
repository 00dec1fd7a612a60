import { runStoreContract } from '../conformance/store-contract.js';
import { MemoryStore } from './memory-store.js';

runStoreContract('memory', async (options) => ({
  store: new MemoryStore({ watchBufferLimit: options?.watchBufferLimit }),
  cleanup: async () => undefined,
}));
