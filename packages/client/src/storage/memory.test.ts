import { memoryStorage } from './memory.js';
import { runStorageContract } from './contract.js';

const shared = memoryStorage();
runStorageContract('memory', () => shared);
