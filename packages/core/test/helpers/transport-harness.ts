import { httpServer, type TestServer } from '@thgov/testkit';
import { afterEach } from 'vitest';
import { Transport, type TransportOptions } from '../../src/index.js';

/** The package identity transports in tests announce. */
export const PKG = { name: '@thgov/test', version: '9.9.9' };
/** Short retries for tests that go through the retry loop. */
export const fastRetry = { maxRetries: 3, baseDelayInMs: 5, maxDelayInMs: 20, budget: false as const };

/**
 * Local servers and transports for one test file, closed after each test (with anything else pushed onto
 * `cleanups`), newest first. Call once at the top of the file.
 */
export function transportHarness() {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()?.();
  });
  return {
    cleanups,
    async serve(handler: Parameters<typeof httpServer>[0]): Promise<TestServer> {
      const s = await httpServer(handler);
      cleanups.push(() => s.close());
      return s;
    },
    transport(options: TransportOptions): Transport {
      const t = new Transport(options, PKG);
      cleanups.push(() => t.close());
      return t;
    },
  };
}

/** The rejection of `p`, as a record of its fields (a fulfilled `p` fails the test). */
export async function caught(p: Promise<unknown>): Promise<Record<string, unknown> & Error> {
  try {
    await p;
  } catch (err) {
    return err as Record<string, unknown> & Error;
  }
  throw new Error('expected a rejection');
}
