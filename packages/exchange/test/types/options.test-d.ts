// Compile-time checks (run by `pnpm typecheck`, never executed): an unknown option key does not compile. That
// ExchangeClientOptions and its zod schema name the same keys is checked in src/options.ts (the schema's type
// names undici through core, so it cannot be exported for a test).
import { ExchangeClient } from '../../src/index.js';

const base = { baseUrl: 'https://gdx.example', consumerKey: 'k', consumerSecret: 's' };
// @ts-expect-error `consumerSecrets` is not an option
new ExchangeClient({ ...base, consumerSecrets: 's' });
// @ts-expect-error an unknown key inside xroad
new ExchangeClient({ baseUrl: 'https://ss.example', xroad: { client: 'TH/GOV/1/app', service: 'x' } });
