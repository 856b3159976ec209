import { thgovCommand } from '../command-name.js';
import { CliError } from '../errors.js';

type SandboxModule = typeof import('@thgov/sandbox');

/** The package a failed import names ("Cannot find package 'oidc-provider' imported from …"). */
function missingPackage(err: unknown): string | undefined {
  const e = err as { code?: unknown; message?: unknown };
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' || typeof e.message !== 'string') return undefined;
  return /Cannot find (?:package|module) '([^']+)'/.exec(e.message)?.[1] ?? '@thgov/sandbox';
}

/**
 * Imports @thgov/sandbox, an optional peer dependency: a verifier or CI job that installs @thgov/cli does not
 * get the emulators (and oidc-provider's tree) unless it asks for them. When it is missing, the error names
 * what to install. `importer` exists for tests that simulate the missing package.
 */
export async function loadSandbox(
  importer: () => Promise<SandboxModule> = () => import('@thgov/sandbox'),
): Promise<SandboxModule> {
  try {
    return await importer();
  } catch (err) {
    const pkg = missingPackage(err);
    if (pkg === undefined) throw err;
    const cmd = thgovCommand();
    const npx = cmd.startsWith('npx') ? 'npx -p @thgov/cli -p @thgov/sandbox thgov sandbox' : undefined;
    throw new CliError(
      'ERR_CLI_SANDBOX_MISSING',
      pkg === '@thgov/sandbox'
        ? 'thgov sandbox needs the package @thgov/sandbox, which is not installed'
        : `thgov sandbox needs @thgov/sandbox, whose dependency ${pkg} is not installed`,
      {
        cause: err,
        hint: `Install it next to @thgov/cli: npm install --save-dev @thgov/sandbox${npx ? ` (or run: ${npx})` : ''}.`,
      },
    );
  }
}
