import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Options } from 'tsup';
// Shared with scripts/check-install.mjs, which checks that no entry point loads one of them at import.
import commonJsOnly from './commonjs-only-dependencies.json' with { type: 'json' };

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];

/**
 * Dependencies whose package ships CommonJS only (`main`, no `exports` map, no `"type": "module"`): pkijs's
 * is one 0.8 MB file, asn1js's 0.14 MB; the e-CMS XML stack is three such packages. When ESM code imports
 * one, Node's ESM loader scans its source for export names (cjs-module-lexer) and loads it through its
 * CommonJS translator on every start, which costs more than loading it: `import('pkijs')` took ~290 ms where
 * `require('pkijs')` took ~70 ms on the loaded 2-core machine (in-process timings; 35 ms against 48 ms for
 * xml-crypto + xml-js on a quieter one). The plugin below moves the name scan to build time and defers the
 * `require()` to the first read of an export: importing @thgov/pki no longer loads pkijs at all (its import
 * fell from ~210 to ~170 ms, transcript's from ~285 to ~200, in interleaved cold-start runs).
 */
export const COMMONJS_ONLY_DEPENDENCIES: readonly string[] = commonJsOnly;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function isBindable(name: string): boolean {
  if (!IDENTIFIER.test(name) || name === 'default') return false;
  try {
    // A reserved word is a valid property key but not a binding name.
    new Function(`let ${name};`);
    return true;
  } catch {
    return false;
  }
}

/**
 * Compiles `import … from '<dependency>'` for each of `names` into a `require()` of the same package through
 * `createRequire(import.meta.url)`, made on the first use of any of its exports rather than at import.
 *
 * The import resolves to a small CommonJS module whose exports are getters, one per export name read from the
 * installed package at build time; esbuild compiles every `dep.Name` (or named import) into a read through
 * them. So importing `@thgov/pki` costs no pkijs: the 0.8 MB file is compiled and run when a certificate is
 * first parsed, and a path that never parses one (the CLI's help, a GDX lookup through a package that also
 * exports signing) never pays it. The package is still resolved at run time from the built file, as an
 * import would be, and Node's module cache gives the same instance to every importer, including a user's
 * own `import 'pkijs'`; only the per-start source scan and the up-front load go away.
 */
export function requireCommonJs(names: readonly string[]): EsbuildPlugin {
  const filter = new RegExp(`^(${names.map((n) => n.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})$`);
  return {
    name: 'thgov-require-commonjs',
    setup(build) {
      build.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'thgov-commonjs' }));
      build.onResolve({ filter: /^thgov-commonjs-load:/ }, (args) => ({
        path: args.path.slice('thgov-commonjs-load:'.length),
        namespace: 'thgov-commonjs-load',
      }));
      // ESM, for import.meta.url: the built file's own location is where the package is resolved from.
      build.onLoad({ filter: /.*/, namespace: 'thgov-commonjs-load' }, (args) => ({
        loader: 'js',
        resolveDir: process.cwd(),
        contents: [
          `import { createRequire } from 'node:module';`,
          'let loaded;',
          `export function load() { return (loaded ??= createRequire(import.meta.url)(${JSON.stringify(args.path)})); }`,
        ].join('\n'),
      }));
      // CommonJS, so that esbuild reads each export through the object instead of binding it at import.
      build.onLoad({ filter: /.*/, namespace: 'thgov-commonjs' }, (args) => {
        const installed = createRequire(join(process.cwd(), 'package.json'))(args.path) as Record<
          string,
          unknown
        >;
        const bindings = Object.keys(installed).filter(isBindable);
        return {
          loader: 'js',
          resolveDir: process.cwd(),
          contents: [
            `const { load } = require(${JSON.stringify(`thgov-commonjs-load:${args.path}`)});`,
            'const names = {};',
            `for (const name of ${JSON.stringify(bindings)}) {`,
            '  Object.defineProperty(names, name, { enumerable: true, get: () => load()[name] });',
            '}',
            // Inherited, not own: esbuild's interop copies an object's own properties into every importing
            // file's namespace, and builds that namespace on the object's prototype.
            'module.exports = Object.create(names);',
          ].join('\n'),
        };
      });
    },
  };
}

/**
 * One build recipe for every publishable package: ESM only, declarations, Node 20 target,
 * and the package's own name and version compiled in (used in the User-Agent).
 */
export function packageConfig(entry: Record<string, string>, extra: Partial<Options> = {}): Options {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { name: string; version: string };
  return {
    entry,
    format: ['esm'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    platform: 'node',
    splitting: true,
    treeshake: true,
    define: {
      __THGOV_PKG_NAME__: JSON.stringify(pkg.name),
      __THGOV_PKG_VERSION__: JSON.stringify(pkg.version),
    },
    // Left to the plugin instead of tsup's external marking (which would otherwise claim them first).
    noExternal: [...COMMONJS_ONLY_DEPENDENCIES],
    esbuildPlugins: [requireCommonJs(COMMONJS_ONLY_DEPENDENCIES)],
    ...extra,
  };
}
