import { defineConfig } from 'tsup';
import { packageConfig } from '../../scripts/tsup-shared.js';

export default defineConfig(
  packageConfig({ index: 'src/index.ts', postgres: 'src/postgres.ts', internal: 'src/internal.ts' }),
);
