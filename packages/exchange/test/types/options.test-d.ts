// Compile-time checks (run by `pnpm typecheck`, never executed): ExchangeClientOptions and the zod schema that
// validates it name the same keys (a key on one side only is refused at run time although it compiles, or
// accepted although no type declares it), and an unknown option key does not compile.

import { expectTypeOf } from 'vitest';
import type { z } from 'zod';
import type { AuditOptions } from '../../src/audit.js';
import { ExchangeClient, type ExchangeClientOptions, type XRoadOptions } from '../../src/index.js';
import type { exchangeClientOptionsObject } from '../../src/options.js';

type Schema = z.input<typeof exchangeClientOptionsObject>;
expectTypeOf<keyof Schema>().toEqualTypeOf<keyof ExchangeClientOptions>();
expectTypeOf<keyof Exclude<Schema['xroad'], undefined>>().toEqualTypeOf<keyof XRoadOptions>();
expectTypeOf<keyof Exclude<Schema['linkage'], undefined>>().toEqualTypeOf<
  keyof Exclude<ExchangeClientOptions['linkage'], undefined>
>();
expectTypeOf<keyof Exclude<Schema['audit'], undefined>>().toEqualTypeOf<keyof AuditOptions>();

const base = { baseUrl: 'https://gdx.example', consumerKey: 'k', consumerSecret: 's' };
// @ts-expect-error `consumerSecrets` is not an option
new ExchangeClient({ ...base, consumerSecrets: 's' });
// @ts-expect-error an unknown key inside xroad
new ExchangeClient({ baseUrl: 'https://ss.example', xroad: { client: 'TH/GOV/1/app', service: 'x' } });
