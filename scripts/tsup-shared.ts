import { readFileSync } from 'node:fs';
import type { Options } from 'tsup';

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
    ...extra,
  };
}
