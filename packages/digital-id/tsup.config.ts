import { defineConfig } from 'tsup';
import { packageConfig } from '../../scripts/tsup-shared.js';

// pg is an optional peer: only the ./postgres entry imports it.
export default defineConfig(
  packageConfig({ index: 'src/index.ts', postgres: 'src/postgres.ts' }, { external: ['pg'] }),
);
