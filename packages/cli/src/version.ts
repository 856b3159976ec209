import { readFileSync } from 'node:fs';

declare const __THGOV_PKG_VERSION__: string;

/** Run from source (tsx), nothing is compiled in: the package.json next to src/ says it. */
function fromPackageJson(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version?: unknown;
    };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0-dev';
  } catch {
    return '0.0.0-dev';
  }
}

/** The version of @thgov/cli, compiled in by the build (and by the test configuration). */
export const CLI_VERSION: string =
  typeof __THGOV_PKG_VERSION__ === 'string' ? __THGOV_PKG_VERSION__ : fromPackageJson();
