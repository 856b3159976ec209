// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} references are what these tests are about
// Attack class: a configuration value whose `${NAME}` expansion costs the square of its length. The expansion
// looked for `${…}` from each `${`, and one that closes nowhere read on to the end of the value: a value of
// `${${${…` (half a megabyte, in a configuration file edited by more people than run it) held the CLI for
// minutes before it printed anything. The case runs in its own process with a time limit, so a hang fails the
// test instead of blocking the run.
import { join } from 'node:path';
import { runScriptInChild } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';

const packageDir = join(import.meta.dirname, '..', '..');

/** `substituteEnv({ key: value })` with `value` built by `expression`, in a fresh process. */
function substituteIn(expression: string): { value?: string; error?: string } | undefined {
  const script = `
    const { substituteEnv } = await import('./src/config/env.ts');
    try {
      const out = substituteEnv({ key: ${expression} }, { THGOV_X: 'x' });
      console.log(JSON.stringify({ value: out.value.key.length > 80 ? 'long' : out.value.key }));
    } catch (e) {
      console.log(JSON.stringify({ error: e.code }));
    }
  `;
  return runScriptInChild(script, { cwd: packageDir }) as { value?: string; error?: string } | undefined;
}

describe('${NAME} expansion of a hostile value', () => {
  it.each([
    ["'${'.repeat(300_000)", { value: 'long' }],
    ["'${THGOV_X}' + '${'.repeat(300_000)", { value: 'long' }],
  ])('%s ends', (expression, result) => {
    expect(substituteIn(expression), 'expansion did not end within 30 s').toEqual(result);
  });

  it('expands as before', () => {
    expect(substituteIn(`'a\${THGOV_X}b\${'`)).toEqual({ value: 'axb${' });
    expect(substituteIn(`'$\${THGOV_X} \${THGOV_X}'`)).toEqual({ value: '${THGOV_X} x' });
    expect(substituteIn(`'\${a\${THGOV_X}'`)).toEqual({ error: 'ERR_CLI_CONFIG_ENV' });
    expect(substituteIn(`'no reference }'`)).toEqual({ value: 'no reference }' });
  });
});
