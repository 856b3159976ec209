// Attack class: a datastore key that costs far more than its size to compare. A refresh compares the keys of
// the records it sends with those the portal returns in one canonical form (`"007.50"` is `7.5`). That form
// was built by spelling the exponent out and trimming zeros with `/0+$/`: "0.000…0001" (a run of zeros before
// a last digit) rescanned the run from each zero, quadratic, and `1e900000000` (eleven characters) asked for
// 900 million zeros. Either, in a record or in the portal's answer, held or crashed the refresh. Each case runs
// in its own process with a time limit, so a hang fails the test instead of blocking the run.
import { join } from 'node:path';
import { runScriptInChild } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';

const packageDir = join(import.meta.dirname, '..', '..');

/** `canonicalKey(value, type)` with `value` built by `expression`, in a fresh process: its length and head. */
function keyIn(expression: string, type = 'numeric'): { length: number; head: string } | undefined {
  const script = `
    const { canonicalKey } = await import('./src/datastore/refresh.ts');
    globalThis.canonicalKey = canonicalKey;
    const key = canonicalKey(${expression}, ${JSON.stringify(type)});
    console.log(JSON.stringify({ length: key.length, head: key.slice(0, 40) }));
  `;
  return runScriptInChild(script, { cwd: packageDir }) as { length: number; head: string } | undefined;
}

describe('canonical decimal keys of hostile values', () => {
  it.each([
    ['a million zeros before a last digit', `'0.' + '0'.repeat(1_000_000) + '1'`],
    ['a million zeros between two digits', `'1' + '0'.repeat(1_000_000) + '1'`],
    ['a million zeros then a digit in an int column', `'0'.repeat(1_000_000) + '7'`],
  ])('%s: ends', (_name, expression) => {
    expect(keyIn(expression), 'did not end within 30 s').toBeDefined();
  });

  it.each([
    ['1e900000000', '1e900000000'],
    ['-5e-900000000', '-5e-900000000'],
    ['1e99999999999999999999', '1e100000000000000000000'],
  ])('%s stays short', (value, key) => {
    const k = keyIn(JSON.stringify(value));
    expect(k).toEqual({ length: key.length, head: key });
  });

  it('values PostgreSQL can hold are spelled out as before', () => {
    const keys = keyIn(
      `['007.50', '-12.340e2', '1.5e-3', '-0.000', '1e1000'].map((v) => canonicalKey(v, 'numeric')).join(' ')`,
      'text',
    );
    expect(keys?.head).toBe(`7.5 -1234 0.0015 0 1${'0'.repeat(20)}`);
    expect(keys?.length).toBe('7.5 -1234 0.0015 0 '.length + 1001);
  });
});
