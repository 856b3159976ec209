// Compile-time checks (run by `pnpm typecheck`, never executed): an unknown option key does not compile. That
// CatalogClientOptions and its zod schema name the same keys is checked in src/options.ts (the schema's type
// names undici through core, so it cannot be exported for a test).
import { CatalogClient } from '../../src/index.js';

// @ts-expect-error `apiKey` is not an option (it is `apiToken`)
new CatalogClient({ baseUrl: 'https://catalog.example', apiKey: 'x' });
// @ts-expect-error an unknown key inside politeness
new CatalogClient({ baseUrl: 'https://catalog.example', politeness: { rps: 1 } });
