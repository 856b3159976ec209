import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { optionCheckOf } from '@thgov/core/internal';
import { expectCheckWithinSchema, type FieldValues, prng, sampleOptions } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { verifyTranscriptOptionsSchema } from '../src/verify/options.js';
import { issueGood } from './fixtures/generate.js';
import { createTestPki } from './helpers/pki.js';

// verifyTranscript's options: the hand-written check against the schema, and the cold path it is for.
const certs = { good: ['PEM', new Uint8Array(3), ['PEM', Buffer.from('x')], []], bad: [[1], 5] };
const fields: Record<string, FieldValues> = {
  trust: certs,
  tsaTrust: certs,
  validationTime: { good: [new Date()], bad: [new Date(Number.NaN), 0] },
  policy: { good: ['transcript', 'pdf'], bad: ['strict', ''] },
  online: { good: [true, false, {}, { proxy: 'env', timeoutInMs: 5 }], bad: [{ proxy: 'x' }, { extra: 1 }] },
  revocation: {
    good: [{}, { crls: ['PEM'], ocspResponses: [new Uint8Array(1)], maxAgeInMs: 0 }],
    bad: [{ online: true }, { crls: 'PEM' }, { maxAgeInMs: -1 }],
  },
  limits: {
    good: [{}, { maxBytes: 1, maxXmlBytes: 10, maxXmlDepth: 10_000 }],
    bad: [{ maxXmlDepth: 10_001 }, { maxXmlBytes: 0 }, { maxDepth: 1001 }, { other: 1 }],
  },
  xmlValidator: { good: [() => true, async () => ({ valid: true })], bad: ['no'] },
  xmlSchema: { good: [z.object({})], bad: [{}] },
  xmlNamespace: { good: ['urn:x', '', ['urn:a', 'urn:b']], bad: [[], 5, ['urn:a', 1]] },
  abortSignal: { good: [new AbortController().signal], bad: [{ aborted: false }] },
};

describe('verifyTranscript options', () => {
  it('the check never accepts what the schema refuses (20,000 seeded samples)', () => {
    const check = optionCheckOf(verifyTranscriptOptionsSchema) as (v: unknown) => boolean;
    const samples = sampleOptions(fields, prng(31), 20_000);
    const accepted = expectCheckWithinSchema(check, verifyTranscriptOptionsSchema, samples);
    expect(accepted).toBeGreaterThan(1_000);
    expect(check({ trust: [new Uint8Array(3)] })).toBe(true);
    expect(check({ trust: [new Uint8Array(3)], revocation: { online: true } })).toBe(false);
  });

  it('a transcript verifies without loading zod when every option is one the checks accept', async () => {
    const pki = await createTestPki();
    const dir = mkdtempSync(join(tmpdir(), 'thgov-zod-'));
    try {
      writeFileSync(join(dir, 't.pdf'), await issueGood(pki));
      writeFileSync(join(dir, 'root.der'), pki.root.cert);
      // The built packages, in a fresh process, as `thgov transcript verify` runs them.
      const script = `
        import { readFileSync } from 'node:fs';
        import { verifyTranscript } from '@thgov/transcript';
        import { isZodLoaded } from '@thgov/core/internal';
        const dir = ${JSON.stringify(dir)};
        const r = await verifyTranscript(readFileSync(dir + '/t.pdf'), { trust: [readFileSync(dir + '/root.der')] });
        console.log(JSON.stringify({ indication: r.indication, zod: isZodLoaded() }));
      `;
      const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        cwd: join(import.meta.dirname, '..'),
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(run.status, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout.trim().split('\n').at(-1) as string)).toEqual({
        indication: 'TOTAL_PASSED',
        zod: false,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
