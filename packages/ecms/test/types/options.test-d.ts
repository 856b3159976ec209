// Compile-time checks (run by `pnpm typecheck`, never executed): each options type and the zod schema that
// validates it name the same keys (a key on one side only is refused at run time although it compiles, or
// accepted although no type declares it), and an unknown option key does not compile.
import { expectTypeOf } from 'vitest';
import type { z } from 'zod';
import type { inboxWorkerOptionsSchema } from '../../src/inbox-worker.js';
import { EcmsClient, type EcmsInboxWorkerOptions, type EcmsOutboxOptions } from '../../src/index.js';
import type { outboxOptionsSchema } from '../../src/outbox.js';

// EcmsClient's options are checked in src/client.ts (their schema's type cannot be imported here).
expectTypeOf<keyof z.input<typeof inboxWorkerOptionsSchema>>().toEqualTypeOf<keyof EcmsInboxWorkerOptions>();
expectTypeOf<keyof z.input<typeof outboxOptionsSchema>>().toEqualTypeOf<keyof EcmsOutboxOptions>();

const base = { nodeUrl: 'https://ecms.example/ecms-ws01/service2', organizationId: '0107000000' };
// @ts-expect-error `baseUrl` is not an e-CMS option (the node is `nodeUrl`)
new EcmsClient({ ...base, baseUrl: 'https://ecms.example' });
// @ts-expect-error `orgId` is not an option (it is `organizationId`)
new EcmsClient({ nodeUrl: base.nodeUrl, orgId: '0107000000' });
