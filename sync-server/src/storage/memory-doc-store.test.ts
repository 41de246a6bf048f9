import { runDocStoreContract } from './doc-store.contract.js';
import { MemoryDocStore } from './memory-doc-store.js';

runDocStoreContract('memory', () => Promise.resolve({ store: new MemoryDocStore() }));
