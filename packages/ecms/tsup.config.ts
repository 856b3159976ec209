import { defineConfig } from 'tsup';
import { packageConfig } from '../../scripts/tsup-shared.js';

// better-sqlite3 and pg are optional peers: only the ./sqlite and ./postgres entries import them.
export default defineConfig(
  packageConfig(
    { index: 'src/index.ts', codec: 'src/codec.ts', sqlite: 'src/sqlite.ts', postgres: 'src/postgres.ts' },
    { external: ['better-sqlite3', 'pg'] },
  ),
);
