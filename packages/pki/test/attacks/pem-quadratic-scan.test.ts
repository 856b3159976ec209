// Attack class: a certificate file whose reading costs the square of its length. The PEM reader searched, from
// every `-----BEGIN CERTIFICATE-----`, to the end of the text for its END line (a lazy regular expression): a
// file of many BEGIN lines and no END held the process (60,000 lines took 17 s; this case, minutes). A trust
// file is user input to the CLI and to verifiers. The case runs in its own process with a time limit, so a hang
// fails the test instead of blocking the run; a linear read of it takes well under a second.
import { join } from 'node:path';
import { runScriptInChild } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';

const packageDir = join(import.meta.dirname, '..', '..');

describe('a hostile certificate file is read in linear time', () => {
  it.each([
    [
      '300,000 BEGIN lines without an END',
      `'-----BEGIN CERTIFICATE-----\\n'.repeat(300_000)`,
      { error: 'ERR_PKI_INPUT' },
    ],
    [
      '300,000 BEGIN lines, one END at the very end',
      `'-----BEGIN CERTIFICATE-----\\n'.repeat(300_000) + '-----END CERTIFICATE-----\\n'`,
      { items: 1 },
    ],
  ])('%s: the same answer as for a short file, not a hang', (_name, expression, expected) => {
    const outcome = runScriptInChild(
      `
      const { decodeCertificates } = await import('./src/index.ts');
      try {
        console.log(JSON.stringify({ items: decodeCertificates(${expression}).length }));
      } catch (e) {
        console.log(JSON.stringify({ error: e.code ?? String(e) }));
      }
    `,
      { cwd: packageDir },
    );
    expect(outcome, 'killed after 30 s: the scan is not linear').toBeDefined();
    expect(outcome).toEqual(expected);
  });
});
