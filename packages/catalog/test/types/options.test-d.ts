// Compile-time checks (run by `pnpm typecheck`, never executed): CatalogClientOptions and the zod schema that
// validates it name the same keys, and an unknown option key does not compile.
import { expectTypeOf } from 'vitest';
import type { z } from 'zod';
import {
  CatalogClient,
  type CatalogClientOptions,
  type DataStoreDefaults,
  type PolitenessOptions,
} from '../../src/index.js';
import type { catalogClientOptionsObject } from '../../src/options.js';

type Schema = z.input<typeof catalogClientOptionsObject>;
expectTypeOf<keyof Schema>().toEqualTypeOf<keyof CatalogClientOptions>();
expectTypeOf<keyof Exclude<Schema['politeness'], undefined>>().toEqualTypeOf<keyof PolitenessOptions>();
expectTypeOf<keyof Exclude<Schema['datastore'], undefined>>().toEqualTypeOf<keyof DataStoreDefaults>();

// @ts-expect-error `apiKey` is not an option (it is `apiToken`)
new CatalogClient({ baseUrl: 'https://catalog.example', apiKey: 'x' });
// @ts-expect-error an unknown key inside politeness
new CatalogClient({ baseUrl: 'https://catalog.example', politeness: { rps: 1 } });
