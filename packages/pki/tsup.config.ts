import { defineConfig } from 'tsup';
import { packageConfig } from '../../scripts/tsup-shared.js';

// The test-PKI builders sit behind their own subpath so that verifiers never load them; ./internal serves
// sibling packages.
export default defineConfig(
  packageConfig({ index: 'src/index.ts', testing: 'src/testing.ts', internal: 'src/internal.ts' }),
);
