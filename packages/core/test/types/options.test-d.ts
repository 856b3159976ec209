// Compile-time checks (run by `pnpm typecheck`, never executed): the options a type declares are exactly the
// options its zod schema accepts (a key on one side only would be either refused at run time although it
// compiles, or accepted although undeclared), and an unknown option key does not compile.
import { expectTypeOf } from 'vitest';
import type { z } from 'zod';
import {
  type RetryOptions,
  type TimeoutOptions,
  type TlsOptions,
  Transport,
  type TransportOptions,
  type transportOptionsSchema,
} from '../../src/index.js';

type Schema = z.input<typeof transportOptionsSchema>;
expectTypeOf<keyof Schema>().toEqualTypeOf<keyof TransportOptions>();
expectTypeOf<keyof Exclude<Schema['timeouts'], undefined>>().toEqualTypeOf<keyof TimeoutOptions>();
expectTypeOf<keyof Exclude<Schema['tls'], undefined>>().toEqualTypeOf<keyof TlsOptions>();
expectTypeOf<keyof Exclude<Schema['retry'], false | undefined>>().toEqualTypeOf<keyof RetryOptions>();
expectTypeOf<
  keyof Exclude<Exclude<Schema['retry'], false | undefined>['budget'], false | undefined>
>().toEqualTypeOf<keyof Exclude<RetryOptions['budget'], false | undefined>>();
// Required on both sides alike.
expectTypeOf<Schema['baseUrl']>().toEqualTypeOf<TransportOptions['baseUrl']>();

const pkg = { name: '@thgov/example', version: '1.0.0' };
// @ts-expect-error `timeout` is not an option (it is `timeouts`)
new Transport({ baseUrl: 'https://gdx.example', timeout: 5 }, pkg);
// @ts-expect-error an unknown key inside timeouts
new Transport({ baseUrl: 'https://gdx.example', timeouts: { total: 5 } }, pkg);
// @ts-expect-error baseUrl is required
new Transport({ timeouts: { totalInMs: 5 } }, pkg);
