import { spawnSync } from 'node:child_process';
import { describe, it } from 'vitest';

/**
 * Gate for tests that need a system tool (or the optional native binding) to run at all. Where it is missing
 * they are skipped with the tool named in the test title; under CI=true they fail instead, unless
 * THGOV_ALLOW_MISSING_TOOLS=1.
 */
export function missingToolsFail(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = (env.CI ?? '').toLowerCase();
  return ci !== '' && ci !== '0' && ci !== 'false' && env.THGOV_ALLOW_MISSING_TOOLS !== '1';
}

export function commandWorks(command: string, args: string[]): boolean {
  const r = spawnSync(command, args, { stdio: 'ignore' });
  return r.error === undefined && r.status !== null;
}

export interface Gate {
  available: boolean;
  describe(name: string, fn: () => void): void;
}

export function requirement(what: string, available: boolean, install: string): Gate {
  return {
    available,
    describe(name, fn) {
      if (available) return describe(name, fn);
      if (missingToolsFail()) {
        return describe(`${name} [needs ${what}]`, () =>
          it(`needs ${what}`, () => {
            throw new Error(`${what} is missing: ${install} (or set THGOV_ALLOW_MISSING_TOOLS=1)`);
          }));
      }
      return describe.skip(`${name} [skipped: ${what} is missing; ${install}]`, fn);
    },
  };
}
