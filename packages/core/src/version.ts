// Replaced at build time by tsup and at test time by vitest (scripts/tsup-shared.ts, scripts/vitest-shared.ts).
declare const __THGOV_PKG_NAME__: string;
declare const __THGOV_PKG_VERSION__: string;

export const PACKAGE_NAME: string =
  typeof __THGOV_PKG_NAME__ === 'string' ? __THGOV_PKG_NAME__ : '@thgov/core';
/** This package's version (exported as `CORE_VERSION`; also sent in the User-Agent). */
export const PACKAGE_VERSION: string =
  typeof __THGOV_PKG_VERSION__ === 'string' ? __THGOV_PKG_VERSION__ : '0.0.0-dev';

/** Identifies the calling package in the User-Agent: `thgov-exchange/0.1.0`. */
export interface PackageIdentity {
  name: string;
  version: string;
}

/** `[appName ]thgov-<pkg>/<version> node/<version>` */
export function userAgent(pkg: PackageIdentity, appName?: string): string {
  const short = pkg.name.replace(/^@thgov\//, 'thgov-');
  const base = `${short}/${pkg.version} node/${process.versions.node}`;
  return appName ? `${appName} ${base}` : base;
}
