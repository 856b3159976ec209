import { captureLogger } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { ThGovError } from '../../src/errors.js';
import { SafeLogger } from '../../src/internal.js';

/**
 * SafeLogger promises that no call site can leak by accident: an error given at the top of a context goes through
 * `sanitizeCause` (a driver's `detail` quoting the row is dropped, a parser's message quoting the body is cut). The
 * same error one level down (a list of failures, `{ outcome: { cause } }`) was copied field by field instead: the
 * `detail` kept, the message lost. And the context was walked without guard: a throwing getter or a revoked Proxy
 * made the log call throw into the caller ("a broken logger must never break a call"), and an object graph with
 * shared references was walked once per path (exponential in its depth).
 */

const NAME = 'Somchai Jaidee';

function pgError(): Error {
  return Object.assign(new Error('duplicate key value violates unique constraint "people_pkey"'), {
    code: '23505',
    severity: 'ERROR',
    detail: `Key (full_name)=(${NAME}) already exists.`,
    table: 'people',
    constraint: 'people_pkey',
  });
}

function logged(context: Record<string, unknown>): string {
  const { logger, lines } = captureLogger();
  new SafeLogger(logger, 'debug').warn('batch failed', context);
  expect(lines).toHaveLength(1);
  return lines.join('\n');
}

describe('attack: errors nested in a log context', () => {
  it('keeps a driver error in a list of failures as sanitized as a top-level one', () => {
    const top = logged({ err: pgError() });
    expect(top).not.toContain(NAME);
    const nested = logged({ failures: [pgError(), pgError()] });
    expect(nested).not.toContain(NAME);
    // Still says what failed: the code and the message, as the top-level rendering does.
    expect(nested).toContain('23505');
    expect(nested).toContain('duplicate key value violates unique constraint');
  });

  it('keeps an error deeper in an object, and the causes of a nested ThGovError, sanitized', () => {
    const wrapped = new ThGovError('ERR_AUDIT_IO', 'could not write the audit record', { cause: pgError() });
    const text = logged({ outcome: { step: 'insert', cause: pgError() }, attempts: [{ error: wrapped }] });
    expect(text).not.toContain(NAME);
    expect(text).toContain('ERR_AUDIT_IO');
    expect(text).toContain('people_pkey');
  });
});

describe('attack: hostile objects in a log context', () => {
  it('does not throw out of the log call for a throwing getter or a revoked Proxy', () => {
    const getter = Object.defineProperty({ ok: 1 }, 'boom', {
      enumerable: true,
      get() {
        throw new Error('getter failed');
      },
    });
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    for (const value of [getter, proxy, [getter], { inner: proxy }]) {
      const text = logged({ value, requestId: 'req-1' });
      expect(text).toContain('req-1');
    }
  });

  it('walks an object graph with shared and circular references a bounded number of times', () => {
    let reads = 0;
    const leaf = Object.defineProperty({}, 'value', {
      enumerable: true,
      get() {
        if (++reads > 10_000) throw new Error('walked once per path');
        return 'x';
      },
    });
    // Ten references to one object per level, seven levels: 10^7 paths to the leaf, 8 distinct objects.
    let level: Record<string, unknown> = leaf;
    for (let d = 0; d < 7; d++) {
      const next: Record<string, unknown> = {};
      for (let i = 0; i < 10; i++) next[`k${i}`] = level;
      level = next;
    }
    const cycle: Record<string, unknown> = { leaf };
    for (let i = 0; i < 6; i++) cycle[`self${i}`] = cycle;
    const text = logged({ graph: level, cycle, requestId: 'req-2' });
    expect(text).toContain('req-2');
    expect(reads).toBeLessThan(5_000);
  });
});
