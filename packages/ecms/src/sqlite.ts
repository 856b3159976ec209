export { SqliteLetterStore, type SqliteLetterStoreOptions } from './store/sqlite-store.js';
