/** The package a failed import names ("Cannot find package 'harfbuzzjs' imported from …"). */
function missingPackage(err: unknown): string | undefined {
  const e = err as { code?: unknown; message?: unknown };
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' && e?.code !== 'MODULE_NOT_FOUND') return undefined;
  if (typeof e.message !== 'string') return undefined;
  return /Cannot find (?:package|module) '([^']+)'/.exec(e.message)?.[1];
}

/**
 * Imports an optional peer dependency: when it (or one of its own dependencies) is not installed, `onMissing`
 * makes the typed error that names it; any other failure is rethrown as it is.
 */
export async function importOptional<T>(
  importer: () => Promise<T>,
  onMissing: (packageName: string) => Error,
): Promise<T> {
  try {
    return await importer();
  } catch (err) {
    const pkg = missingPackage(err);
    if (pkg === undefined) throw err;
    throw onMissing(pkg.replace(/\/(?:dist|lib)\/.*$/, ''));
  }
}

/** `require.resolve` for an optional peer's file: undefined when the package is not installed. */
export function resolveOptional(resolve: () => string): string | undefined {
  try {
    return resolve();
  } catch (err) {
    if (missingPackage(err) !== undefined || (err as { code?: unknown }).code === 'MODULE_NOT_FOUND')
      return undefined;
    throw err;
  }
}
