import { X509Certificate } from 'node:crypto';
import { optionCheckOf } from '@thgov/core/internal';
import { expectCheckWithinSchema, type FieldValues, prng, sampleOptions } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { parseCrl } from '../src/index.js';
import { revocationSchema, validateOptionsSchema } from '../src/path/options.js';
import { onlineOptionsSchema } from '../src/revocation/online.js';
import { timeStampOptionsSchema } from '../src/timestamp/verify.js';
import { createHierarchy } from './helpers/hierarchy.js';

// The hand-written acceptance checks of pki's option schemas, against the schemas (see `withOptionCheck`).
const h = await createHierarchy();
const crl = parseCrl(await h.crl(h.ca));
const x509 = new X509Certificate(h.root.cert);
const fetcher = { fetch: async () => new Uint8Array() };

const online: Record<string, FieldValues> = {
  timeoutInMs: { good: [1, 120_000], bad: [0, 120_001, 1.5] },
  proxy: { good: ['env', 'http://127.0.0.1:3128'], bad: ['not a url', ''] },
  maxResponseBytes: { good: [1, 512 * 1024 * 1024], bad: [0, 512 * 1024 * 1024 + 1] },
};
const onlineSamples = sampleOptions(online, prng(1), 300);
const revocation: Record<string, FieldValues> = {
  crls: { good: [[], [h.root.cert, 'PEM text', crl]], bad: [[{ type: 'ocsp' }], crl] },
  ocspResponses: { good: [[], [new Uint8Array(3), { type: 'ocsp' }]], bad: [['text'], [crl]] },
  online: { good: [true, false, {}, { timeoutInMs: 10 }], bad: onlineSamples },
  fetch: { good: [async () => new Uint8Array(), fetcher], bad: [{ fetch: 1 }] },
  required: { good: [true, false], bad: [1] },
  maxAgeInMs: { good: [0, 86_400_000], bad: [-1, 100 * 365 * 86_400_000 + 1] },
  maxAgeWithoutNextUpdateInMs: { good: [0, 1000], bad: [1.5] },
  clockSkewInMs: { good: [0, 3_600_000], bad: [3_600_001] },
};
const revocationSamples = sampleOptions(revocation, prng(2), 300);
const certs = { good: ['PEM', h.root.cert, x509, [h.root.cert, x509, 'PEM'], []], bad: [[1], [null], 5] };
const common: Record<string, FieldValues> = {
  revocation: { good: [false, {}, { crls: [crl] }], bad: [true, ...revocationSamples] },
  algorithmPolicy: { good: [{ minRsaModulusBits: 2048 }], bad: [{ minRsaModulusBits: 10 }] },
  now: { good: [new Date()], bad: [new Date(Number.NaN), '2026-01-01'] },
  abortSignal: { good: [new AbortController().signal], bad: [{ aborted: false }] },
  timeoutInMs: { good: [1, 600_000], bad: [0, 600_001] },
};

const differential = (schema: Parameters<typeof expectCheckWithinSchema>[1], samples: unknown[]) =>
  expectCheckWithinSchema(optionCheckOf(schema), schema, samples);

describe('pki option checks never accept what their schema refuses', () => {
  it('online revocation options', () => {
    expect(differential(onlineOptionsSchema, sampleOptions(online, prng(11), 5_000))).toBeGreaterThan(1_000);
  });

  it('revocation options', () => {
    expect(differential(revocationSchema, sampleOptions(revocation, prng(12), 10_000))).toBeGreaterThan(
      1_000,
    );
  });

  it('validateCertificatePath options', () => {
    const fields: Record<string, FieldValues> = {
      ...common,
      trustAnchors: certs,
      intermediates: certs,
      at: { good: [new Date()], bad: [new Date(Number.NaN)] },
      timeProven: { good: [true, false], bad: ['yes'] },
      usage: {
        good: ['document-signing', 'timestamping', 'ocsp-signing', 'any', { keyUsage: [] }],
        bad: ['x'],
      },
      maxPathLength: { good: [1, 10], bad: [0, 11] },
      requestId: { good: ['r', 'x'.repeat(200)], bad: ['', 'x'.repeat(201)] },
    };
    expect(differential(validateOptionsSchema, sampleOptions(fields, prng(13), 20_000))).toBeGreaterThan(
      1_000,
    );
    expect(
      optionCheckOf(validateOptionsSchema)?.({ trustAnchors: [h.root.cert], revocation: { crls: [crl] } }),
    ).toBe(true);
  });

  it('verifyTimeStampToken options', () => {
    const fields: Record<string, FieldValues> = {
      ...common,
      data: { good: [new Uint8Array(4), [new Uint8Array(1), Buffer.from('x')]], bad: ['data', [1]] },
      trustAnchors: { good: [h.root.cert, 'anything', 5], bad: [] },
      intermediates: { good: [[], 'anything'], bad: [] },
    };
    expect(differential(timeStampOptionsSchema, sampleOptions(fields, prng(14), 20_000))).toBeGreaterThan(
      1_000,
    );
  });
});
