import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { WatchdogReporter } from './vitest-watchdog.js';

/** Same compile-time constants as the build, so tests run the source as it will ship. */
export function packageTestConfig(
  extra: { testTimeout?: number; include?: string[]; postgres?: boolean } = {},
) {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { name: string; version: string };
  return defineConfig({
    define: {
      __THGOV_PKG_NAME__: JSON.stringify(pkg.name),
      __THGOV_PKG_VERSION__: JSON.stringify(pkg.version),
    },
    test: {
      include: extra.include ?? ['test/**/*.test.ts'],
      // One PostgreSQL per run (embedded, or THGOV_TEST_PG_URL); each test file makes its own database.
      ...(extra.postgres
        ? {
            globalSetup: [
              fileURLToPath(new URL('../packages/testkit/src/postgres-setup.ts', import.meta.url)),
            ],
          }
        : {}),
      // Generous: on a loaded 2-core CI machine a test can run ten times slower than on a quiet one (measured:
      // esign's signing and tampering tests from 1.4 s to 20 s). A hang still fails, named; a worker blocked in
      // synchronous code is the watchdog's.
      testTimeout: extra.testTimeout ?? 60_000,
      hookTimeout: 120_000,
      pool: 'forks',
      // A worker blocked in synchronous code or a set-up that never settles fails the run, named (see the file).
      reporters: ['default', new WatchdogReporter()],
      // Tests talk only to servers they start on 127.0.0.1; never inherit a developer's proxy.
      env: { HTTPS_PROXY: '', HTTP_PROXY: '', https_proxy: '', http_proxy: '', NO_PROXY: '', no_proxy: '' },
    },
  });
}
