import { defineConfig } from 'tsup';
import { packageConfig } from '../../scripts/tsup-shared.js';

// better-sqlite3 is an optional peer: only the ./sqlite entry imports it.
export default defineConfig(
  packageConfig({ index: 'src/index.ts', sqlite: 'src/sqlite.ts' }, { external: ['better-sqlite3'] }),
);
