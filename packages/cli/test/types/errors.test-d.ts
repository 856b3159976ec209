// Compile-time checks (run by `pnpm typecheck`, never executed): error codes narrow, typos do not compile.
import { expectTypeOf } from 'vitest';
import {
  type CONFIG_ERROR_CODES,
  ConfigError,
  type ConfigErrorCode,
  isConfigError,
} from '../../src/index.js';

declare const err: unknown;

expectTypeOf<ConfigErrorCode>().toEqualTypeOf<keyof typeof CONFIG_ERROR_CODES>();
expectTypeOf<ConfigError['code']>().toEqualTypeOf<ConfigErrorCode>();

if (isConfigError(err, 'ERR_CLI_CONFIG_ENV')) expectTypeOf(err.code).toEqualTypeOf<'ERR_CLI_CONFIG_ENV'>();
if (isConfigError(err)) {
  expectTypeOf(err.issues[0]?.path).toEqualTypeOf<string | undefined>();
  // @ts-expect-error a typo is not a configuration code
  if (err.code === 'ERR_CLI_CONFIG_READS') throw err;
}
// @ts-expect-error a typo is not a configuration code
isConfigError(err, 'ERR_CLI_CONFIG');
// @ts-expect-error the constructor takes configuration codes only
new ConfigError('ERR_HTTP', 'x');
