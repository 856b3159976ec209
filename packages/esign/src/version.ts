// Replaced at build time by tsup and at test time by vitest (scripts/tsup-shared.ts, scripts/vitest-shared.ts).
declare const __THGOV_PKG_NAME__: string;
declare const __THGOV_PKG_VERSION__: string;

export const PACKAGE = {
  name: typeof __THGOV_PKG_NAME__ === 'string' ? __THGOV_PKG_NAME__ : '@thgov/esign',
  version: typeof __THGOV_PKG_VERSION__ === 'string' ? __THGOV_PKG_VERSION__ : '0.0.0-dev',
};
