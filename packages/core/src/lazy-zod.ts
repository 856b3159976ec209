import { fileURLToPath } from 'node:url';
import type * as Zod from 'zod';
import { createRequire } from './builtins.js';

/*
 * zod, loaded on first use. Importing zod evaluates ~95 ES modules (70-90 ms of every cold start on this
 * project's 2-core reference machine), and every thgov package declares its option and response schemas at
 * module top level, so `import('@thgov/core')` paid for zod even when the process never checked an option
 * (a CLI printing `--help`, a verifier reading one file, a worker that only imports a type).
 *
 * `z` below has zod's own type. Calling one of zod's schema factories on it (`z.string()`,
 * `z.object({...})`) or a builder method on the result (`.min(1)`, `.optional()`, `.strict()`) records the
 * call instead of running it; the recorded schema is built, with zod, the first time anything else is asked
 * of it (`safeParse`, `shape`, `_zod`, …) and is that same built schema from then on. Arguments are built
 * first, so zod itself only ever sees its own schema objects. Any other property of `z` (`z.NEVER`,
 * `z.toJSONSchema`, classes) loads zod at once and is zod's own.
 *
 * zod is loaded synchronously through `require()` of its ES module entry (Node ≥ 20.19), so it is the very
 * instance `import 'zod'` gives an application: one zod per process. On a Node without `require(esm)`, zod's
 * CommonJS build is used instead.
 */

type ZodNamespace = typeof Zod.z;

let loaded: ZodNamespace | undefined;

/** Loads zod (once) and returns its `z` namespace. */
export function loadZod(): ZodNamespace {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  let module: typeof Zod;
  try {
    module = require(fileURLToPath(import.meta.resolve('zod'))) as typeof Zod;
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_REQUIRE_ESM') throw error;
    module = require('zod') as typeof Zod;
  }
  loaded = module.z;
  return loaded;
}

/** Whether zod has been loaded in this process (by a schema's first use or by `loadZod`). */
export function isZodLoaded(): boolean {
  return loaded !== undefined;
}

/** zod's schema factories that are recorded rather than run. */
const FACTORIES = new Set([
  'any',
  'array',
  'bigint',
  'boolean',
  'custom',
  'date',
  'discriminatedUnion',
  'enum',
  'function',
  'instanceof',
  'intersection',
  'lazy',
  'literal',
  'looseObject',
  'map',
  'never',
  'null',
  'nullable',
  'number',
  'object',
  'optional',
  'preprocess',
  'record',
  'set',
  'strictObject',
  'string',
  'tuple',
  'undefined',
  'union',
  'unknown',
]);

/** Methods of a zod schema that return a new schema and are recorded rather than run. */
const BUILDERS = new Set([
  'and',
  'array',
  'brand',
  'catch',
  'catchall',
  'default',
  'describe',
  'email',
  'endsWith',
  'extend',
  'finite',
  'gt',
  'gte',
  'includes',
  'int',
  'keyof',
  'length',
  'loose',
  'lt',
  'lte',
  'max',
  'meta',
  'min',
  'multipleOf',
  'negative',
  'nonempty',
  'nonnegative',
  'nonpositive',
  'nullable',
  'nullish',
  'omit',
  'optional',
  'or',
  'overwrite',
  'partial',
  'passthrough',
  'pick',
  'pipe',
  'positive',
  'prefault',
  'readonly',
  'refine',
  'regex',
  'required',
  'safe',
  'startsWith',
  'strict',
  'strip',
  'superRefine',
  'toLowerCase',
  'toUpperCase',
  'transform',
  'trim',
  'unwrap',
  'url',
  'uuid',
]);

/** One recorded call: a factory of `z` (no parent) or a builder method of the parent's schema. */
interface Recorded {
  parent: Recorded | undefined;
  name: string;
  args: unknown[];
  built: object | undefined;
}

const recordOf = new WeakMap<object, Recorded>();

function build(record: Recorded): object {
  if (record.built) return record.built;
  const args = record.args.map(buildDeep);
  const self = (record.parent ? build(record.parent) : loadZod()) as Record<
    string,
    (...a: unknown[]) => object
  >;
  const method = self[record.name];
  if (typeof method !== 'function') throw new TypeError(`zod has no ${record.name}()`);
  record.built = method.apply(self, args);
  return record.built;
}

/** Replaces recorded schemas by built ones, through arrays and plain objects (a shape, a union's options). */
function buildDeep(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const record = recordOf.get(value);
  if (record) return build(record);
  if (Array.isArray(value)) return value.map(buildDeep);
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<PropertyKey, unknown> = {};
  for (const key of Reflect.ownKeys(value)) {
    out[key] = buildDeep((value as Record<PropertyKey, unknown>)[key]);
  }
  return out;
}

function recorded(parent: Recorded | undefined, name: string, args: unknown[]): object {
  const record: Recorded = { parent, name, args, built: undefined };
  const proxy = new Proxy(Object.create(null) as object, {
    get(_target, key) {
      if (typeof key === 'string' && BUILDERS.has(key)) {
        return (...more: unknown[]) => recorded(record, key, more);
      }
      const schema = build(record);
      return Reflect.get(schema, key, schema);
    },
    has: (_target, key) => Reflect.has(build(record), key),
    ownKeys: (_target) => Reflect.ownKeys(build(record)),
    getOwnPropertyDescriptor(_target, key) {
      const descriptor = Reflect.getOwnPropertyDescriptor(build(record), key);
      return descriptor ? { ...descriptor, configurable: true } : undefined;
    },
    getPrototypeOf: (_target) => Reflect.getPrototypeOf(build(record)),
    set: (_target, key, value) => Reflect.set(build(record), key, value),
    defineProperty: (_target, key, descriptor) => Reflect.defineProperty(build(record), key, descriptor),
    deleteProperty: (_target, key) => Reflect.deleteProperty(build(record), key),
  });
  recordOf.set(proxy, record);
  return proxy;
}

/** Builds a recorded schema now (zod is loaded if it was not); a built schema or any other value is returned as is. */
export function buildSchema<T>(schema: T): T {
  return buildDeep(schema) as T;
}

/**
 * zod's `z`, with schema construction deferred until a schema is first used (see above). Types are zod's:
 * `z.infer`, `z.input`, `z.output` and `z.ZodType` are available on this `z` as on zod's.
 */
export const z: ZodNamespace = new Proxy(Object.create(null) as ZodNamespace, {
  get(_target, key) {
    if (typeof key === 'string' && FACTORIES.has(key)) {
      return (...args: unknown[]) => recorded(undefined, key, args);
    }
    const zod = loadZod() as unknown as Record<PropertyKey, unknown>;
    const value = zod[key];
    // zod's other functions (toJSONSchema, prettifyError, …) get built schemas; classes stay themselves.
    if (typeof value === 'function' && typeof key === 'string' && /^[a-z]/.test(key)) {
      return (...args: unknown[]) => (value as (...a: unknown[]) => unknown).apply(zod, args.map(buildDeep));
    }
    return value;
  },
  has: (_target, key) => Reflect.has(loadZod(), key),
  ownKeys: (_target) => Reflect.ownKeys(loadZod()),
  getOwnPropertyDescriptor(_target, key) {
    const descriptor = Reflect.getOwnPropertyDescriptor(loadZod(), key);
    return descriptor ? { ...descriptor, configurable: true } : undefined;
  },
});

// Type-only members, so that `z.infer<typeof schema>` and friends read as they do with zod's own `z`.
export declare namespace z {
  export type infer<T> = Zod.infer<T>;
  export type input<T> = Zod.input<T>;
  export type output<T> = Zod.output<T>;
  export type ZodType<Output = unknown, Input = unknown> = Zod.ZodType<Output, Input>;
}
