/**
 * extractTranscript's options are checked as verifyTranscript's are: a limit that is NaN (`Number(process.env.X)`
 * with X unset), negative, a string, or a misspelt key must not silently leave the document unbounded, nor
 * surface as a misleading ERR_PDF_LIMIT. Refused as ERR_INVALID_ARG naming the option.
 */
import { optionCheckOf } from '@thgov/core/internal';
import { expectCode } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { extractOptionsSchema } from '../src/extract.js';
import { extractTranscript } from '../src/index.js';
import { issueGood } from './fixtures/generate.js';
import { createTestPki } from './helpers/pki.js';

const pki = await createTestPki();
const pdf = await issueGood(pki);

describe('extractTranscript options', () => {
  const bad: [string, unknown][] = [
    ['a NaN maxBytes (the limit would be off)', { limits: { maxBytes: Number.NaN } }],
    ['a misspelt limit (maxByte)', { limits: { maxByte: 10 } }],
    ['a misspelt option (limit)', { limit: { maxBytes: 10 } }],
    ['a negative maxBytes', { limits: { maxBytes: -5 } }],
    ['a string maxBytes', { limits: { maxBytes: '10' } }],
    ['a fractional maxObjects', { limits: { maxObjects: 1.5 } }],
    ['limits that are not an object', { limits: 5 }],
  ];
  it.each(bad)('%s: ERR_INVALID_ARG', (_name, options) => {
    const err = expectCode(() => extractTranscript(pdf, options as never), 'ERR_INVALID_ARG');
    expect(err.message).toMatch(/extractTranscript options/);
  });

  it('valid limits still apply, and no options or null are the defaults', () => {
    expectCode(() => extractTranscript(pdf, { limits: { maxBytes: 10 } }), 'ERR_PDF_LIMIT');
    expect(extractTranscript(pdf, { limits: { maxBytes: pdf.length, timeInMs: 60_000 } }).fileName).toBe(
      'transcript.xml',
    );
    expect(extractTranscript(pdf).fileName).toBe('transcript.xml');
    expect(extractTranscript(pdf, null as never).fileName).toBe('transcript.xml');
  });

  it('the hand-written check accepts only what the schema accepts', () => {
    const check = optionCheckOf(extractOptionsSchema) as (v: unknown) => boolean;
    expect(check({})).toBe(true);
    expect(check({ limits: { maxBytes: 1, maxDepth: 1000 } })).toBe(true);
    for (const [, options] of bad) expect(check(options)).toBe(false);
    expect(check({ limits: { maxDepth: 1001 } })).toBe(false);
  });
});
