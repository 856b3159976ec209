import { optionCheckOf } from '@thgov/core/internal';
import { expectCheckWithinSchema, type FieldValues, prng, sampleOptions } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { pdfLimitsSchema, revocationOptionsSchema, verifyOptionsSchema } from '../src/verify/options.js';
import { PDF_POLICY } from '../src/verify/policy.js';

// The hand-written acceptance checks of the verification options, against their schemas.
const MAX = Number.MAX_SAFE_INTEGER;
const limits: Record<string, FieldValues> = {
  maxBytes: { good: [1, MAX], bad: [0, MAX + 1, 1.5] },
  maxObjects: { good: [1, 10_000], bad: [0] },
  maxDepth: { good: [1, 1000], bad: [1001, 0] },
  maxStreamBytes: { good: [1], bad: [-1] },
  timeInMs: { good: [1, 60_000], bad: [0] },
};
const revocation: Record<string, FieldValues> = {
  crls: { good: [[], ['PEM', new Uint8Array(2)]], bad: [[1], Array(10_001).fill('x')] },
  ocspResponses: { good: [[], [new Uint8Array(2)]], bad: [['text'], Array(10_001).fill(new Uint8Array(1))] },
  online: {
    good: [true, false, {}, { proxy: 'env' }],
    bad: [{ proxy: 'nope' }, { timeoutInMs: 0 }, { extra: 1 }],
  },
  maxAgeInMs: { good: [0, MAX], bad: [-1, 0.5] },
  maxAgeWithoutNextUpdateInMs: { good: [0], bad: [-1] },
};
const certs = { good: ['PEM', new Uint8Array(3), ['PEM', Buffer.from('x')], []], bad: [[1], 5, [null]] };

const differential = (schema: Parameters<typeof expectCheckWithinSchema>[1], samples: unknown[]) =>
  expectCheckWithinSchema(optionCheckOf(schema), schema, samples);

describe('esign option checks never accept what their schema refuses', () => {
  it('limits and revocation options', () => {
    expect(differential(pdfLimitsSchema, sampleOptions(limits, prng(21), 5_000))).toBeGreaterThan(1_000);
    expect(
      differential(revocationOptionsSchema, sampleOptions(revocation, prng(22), 10_000)),
    ).toBeGreaterThan(1_000);
  });

  it('verifyPdfSignatures options', () => {
    const policy = { ...PDF_POLICY };
    const fields: Record<string, FieldValues> = {
      trustAnchors: certs,
      tsaTrustAnchors: certs,
      validationTime: { good: [new Date()], bad: [new Date(Number.NaN)] },
      policy: {
        good: ['pdf', policy],
        bad: [
          'transcript',
          { ...policy, name: '' },
          { ...policy, javaScript: 'allow' },
          { ...policy, extra: 1 },
        ],
      },
      revocation: { good: [{}, { crls: [] }], bad: sampleOptions(revocation, prng(23), 200) },
      limits: { good: [{}, { maxBytes: 10 }], bad: sampleOptions(limits, prng(24), 200) },
      abortSignal: { good: [new AbortController().signal], bad: [{}] },
      timeoutInMs: { good: [1, 3_600_000], bad: [0, 3_600_001] },
      requestId: { good: ['r'], bad: ['', 'x'.repeat(201)] },
    };
    expect(differential(verifyOptionsSchema, sampleOptions(fields, prng(25), 20_000))).toBeGreaterThan(1_000);
    const { name: _name, ...withoutName } = policy;
    expect(optionCheckOf(verifyOptionsSchema)?.({ policy: withoutName })).toBe(false);
    expect(optionCheckOf(verifyOptionsSchema)?.({ trustAnchors: ['PEM'], policy, limits: {} })).toBe(true);
  });
});
