// Compile-time checks (run by `pnpm typecheck`, never executed): DigitalIdClientOptions and the zod schema
// that validates it name the same keys, and an unknown option key does not compile.
import { expectTypeOf } from 'vitest';
import type { z } from 'zod';
import { DigitalIdClient, type DigitalIdClientOptions } from '../../src/index.js';
import type { digitalIdClientOptionsSchema } from '../../src/options.js';

type Schema = z.input<typeof digitalIdClientOptionsSchema>;
expectTypeOf<keyof Schema>().toEqualTypeOf<keyof DigitalIdClientOptions>();
expectTypeOf<keyof Exclude<Schema['tls'], undefined>>().toEqualTypeOf<
  keyof Exclude<DigitalIdClientOptions['tls'], undefined>
>();

const base = { provider: 'thaid', clientId: 'c', redirectUri: 'https://app.example/cb' } as const;
// @ts-expect-error `redirectUrl` is not an option (it is `redirectUri`)
new DigitalIdClient({ ...base, redirectUrl: 'https://app.example/cb' });
// @ts-expect-error the OIDC client takes a CA only, not a client certificate
new DigitalIdClient({ ...base, tls: { ca: 'pem', cert: 'pem' } });
