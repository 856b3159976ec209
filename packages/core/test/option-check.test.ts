import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expectCheckWithinSchema, prng, sampleOptions } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { z as realZod } from 'zod';
import { is } from '../src/internal.js';

// Every builder of `is`, against the zod construct it stands for, on the same seeded samples.
const inner = realZod
  .object({ n: realZod.number().int().min(1).max(10), s: realZod.string().optional() })
  .strict();
const schema = realZod
  .object({
    name: realZod.string().min(1).max(5).optional(),
    flag: realZod.boolean().optional(),
    fn: realZod.function().optional(),
    count: realZod.number().int().min(1).max(10),
    when: realZod.date().optional(),
    bytes: realZod.instanceof(Uint8Array).optional(),
    mode: realZod.enum(['a', 'b']).optional(),
    either: realZod.union([realZod.literal(false), realZod.string().min(2)]).optional(),
    list: realZod.array(realZod.number().int().min(0).max(3)).max(2).optional(),
    nested: inner.optional(),
  })
  .strict();
const check = is.shape(
  {
    name: is.string(1, 5),
    flag: is.boolean,
    fn: is.function,
    count: is.integer(1, 10),
    when: is.date,
    bytes: is.instance(Uint8Array),
    mode: is.literal('a', 'b'),
    either: is.either(is.literal(false), is.string(2)),
    list: is.array(is.integer(0, 3), 2),
    nested: is.shape({ n: is.integer(1, 10), s: is.string() }, ['n']),
  },
  ['count'],
);
const fields = {
  name: { good: ['a', 'abcde'], bad: ['abcdef', '', 5] },
  flag: { good: [true, false], bad: ['true'] },
  fn: { good: [() => 1, class {}], bad: ['fn'] },
  count: { good: [1, 10], bad: [11, 0, 5.5, '5', 2 ** 53] },
  when: { good: [new Date()], bad: [new Date(Number.NaN), '2026-01-01', Date.now()] },
  bytes: { good: [new Uint8Array(2), Buffer.from('x')], bad: [[1, 2], new ArrayBuffer(2)] },
  mode: { good: ['a', 'b'], bad: ['c', 'A'] },
  either: { good: [false, 'ab'], bad: [true, 'a'] },
  list: { good: [[], [0, 3]], bad: [[0, 1, 2], [4], [1.5], 'list'] },
  nested: {
    good: [{ n: 1 }, { n: 1, s: 'x' }],
    bad: [{ s: 'x' }, { n: 0 }, { n: 1, extra: 1 }, Object.create({ n: 1 })],
  },
};

describe('option checks (is.*)', () => {
  it('never accept what the zod construct they mirror refuses (20,000 seeded samples)', () => {
    const samples = sampleOptions(fields, prng(0x0b7), 20_000);
    const accepted = expectCheckWithinSchema(check, schema, samples);
    const zodAccepted = samples.filter((v) => schema.safeParse(v).success).length;
    // Worth having: the check decides most of what zod accepts here (it refuses class instances, which zod
    // takes, and so it may decide fewer).
    expect(accepted).toBeGreaterThan(zodAccepted * 0.8);
    expect(accepted).toBeGreaterThan(500);
  });

  it('treat a key holding undefined as absent, and refuse inherited or unknown keys and non-plain objects', () => {
    expect(check({ count: 1, name: undefined })).toBe(true);
    expect(check({ count: undefined })).toBe(false);
    expect(check(Object.assign(Object.create({ inherited: 1 }), { count: 1 }))).toBe(false);
    expect(check({ count: 1, other: 1 })).toBe(false);
    expect(check(Object.assign(Object.create(null), { count: 1 }))).toBe(true);
    expect(check(Object.assign(new (class Options {})(), { count: 1 }))).toBe(false);
    expect(check([])).toBe(false);
    expect(check(null)).toBe(false);
  });
});

describe('checkOptions', () => {
  it('does not load zod for options the check accepts; zod decides, and explains, the rest', () => {
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `
        const { checkOptions, is, isZodLoaded, withOptionCheck, z } = await import('./src/internal.ts');
        const schema = withOptionCheck(z.object({ size: z.number().int().min(1) }).strict(), is.shape({ size: is.integer(1, 5) }));
        checkOptions(schema, { size: 3 }, 'sized options');
        const before = isZodLoaded();
        checkOptions(schema, { size: 50 }, 'sized options');
        let refused = '';
        try { checkOptions(schema, { size: 0 }, 'sized options'); } catch (e) { refused = e.code + ' ' + e.message; }
        console.log(JSON.stringify({ before, after: isZodLoaded(), refused }));
      `,
      ],
      { cwd: join(import.meta.dirname, '..'), encoding: 'utf8', timeout: 120_000 },
    );
    expect(run.status, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout.trim().split('\n').at(-1) as string);
    expect(out.before).toBe(false);
    expect(out.after).toBe(true);
    expect(out.refused).toMatch(/^ERR_INVALID_ARG sized options\.size: /);
  });
});
