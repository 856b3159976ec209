import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z as zod } from 'zod';
import { buildSchema, isZodLoaded, z } from '../src/lazy-zod.js';

const packageDir = join(import.meta.dirname, '..');

/** Runs a module script in a fresh Node process (vitest has zod loaded already) and returns its last line. */
function fresh(script: string): string {
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: packageDir,
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout.trim().split('\n').at(-1) as string;
}

describe('lazy zod: schemas are recorded, then built by zod on first use', () => {
  it('declaring schemas does not load zod; the first parse does', () => {
    const out = fresh(`
      const { z, isZodLoaded } = await import('./src/lazy-zod.ts');
      const options = z.object({ name: z.string().min(1).max(8), count: z.number().int().positive().optional() }).strict();
      const before = isZodLoaded();
      const ok = options.safeParse({ name: 'a', count: 2 }).success;
      const bad = options.safeParse({ name: '', extra: 1 }).success;
      console.log(JSON.stringify({ before, after: isZodLoaded(), ok, bad }));
    `);
    expect(JSON.parse(out)).toEqual({ before: false, after: true, ok: true, bad: false });
  });

  it('gives the same results and the same issues as zod for the same declaration', () => {
    const declare = (api: typeof zod) =>
      api
        .object({
          id: api.string().regex(/^\d{13}$/, 'thirteen digits'),
          kind: api.enum(['person', 'company']),
          tags: api.array(api.string().trim().toLowerCase()).max(3).optional(),
          limit: api.union([api.literal(false), api.object({ n: api.number().int().min(1) }).strict()]),
          when: api
            .string()
            .optional()
            .transform((v) => v ?? 'never'),
          blob: api.instanceof(Uint8Array).optional(),
        })
        .strict()
        .superRefine((v, ctx) => {
          if (v.kind === 'company' && v.tags === undefined)
            ctx.addIssue({ code: 'custom', message: 'tags needed' });
        });
    const lazy = declare(z);
    const eager = declare(zod);
    const inputs: unknown[] = [
      { id: '1234567890123', kind: 'person', limit: false },
      { id: '1234567890123', kind: 'company', tags: [' A ', 'b'], limit: { n: 2 }, when: 'now' },
      { id: '12', kind: 'robot', limit: { n: 0, x: 1 } },
      { id: '1234567890123', kind: 'company', limit: false, extra: true },
      { id: '1234567890123', kind: 'person', limit: false, blob: 'text' },
      'not an object',
      null,
    ];
    for (const input of inputs) {
      const a = lazy.safeParse(input);
      const b = eager.safeParse(input);
      expect(a.success).toBe(b.success);
      if (a.success && b.success) expect(a.data).toEqual(b.data);
      else expect(a.error?.issues).toEqual(b.error?.issues);
    }
  });

  it('builds a shared parent once: two schemas derived from one keep its identity', () => {
    const base = z.object({ a: z.string() });
    const strict = base.strict();
    const loose = base.loose();
    strict.parse({ a: 'x' });
    loose.parse({ a: 'x', b: 1 });
    expect(strict.def.shape.a).toBe(loose.def.shape.a);
    expect(buildSchema(base)).toBe(buildSchema(base));
  });

  it('hands zod only built schemas (a recorded schema inside an object shape, an array, a union)', () => {
    const pem = z.union([z.string(), z.instanceof(Uint8Array)]);
    const shape = { ca: z.union([pem, z.array(pem)]).optional() };
    const tls = z.object(shape).strict();
    expect(tls.safeParse({ ca: ['a', new Uint8Array(1)] }).success).toBe(true);
    expect(tls.safeParse({ ca: [1] }).success).toBe(false);
    const built = buildSchema(tls);
    expect(built).toBeInstanceOf(zod.ZodObject);
    expect(built.shape.ca).toBeInstanceOf(zod.ZodOptional);
  });

  it('passes built schemas to zod functions (toJSONSchema) and gives zod values as they are', () => {
    const schema = z.object({ n: z.number().int().describe('a count') });
    const json = z.toJSONSchema(schema) as unknown as { properties: { n: { description: string } } };
    expect(json.properties.n.description).toBe('a count');
    expect(z.NEVER).toBe(zod.NEVER);
    expect(isZodLoaded()).toBe(true);
  });

  it('behaves as the built schema for reflection: keys, `in`, instanceof, prototype', () => {
    const schema = z.string().min(3);
    expect(schema).toBeInstanceOf(zod.ZodString);
    expect('safeParse' in schema).toBe(true);
    expect(Object.keys(schema)).toEqual(Object.keys(buildSchema(schema)));
    expect(Object.getPrototypeOf(schema)).toBe(Object.getPrototypeOf(buildSchema(schema)));
  });

  it('reports a misspelled builder when the schema is built, not silently', () => {
    const broken = (z.number() as unknown as { trim(): typeof schema }).trim();
    const schema = z.string();
    expect(() => broken.safeParse(1)).toThrow(/zod has no trim\(\)/);
  });
});
