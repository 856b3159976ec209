import type { AuditChainKey } from '@thgov/core';
import { FileAnchorStore } from '@thgov/core';
import { verifyPostgresAuditLog } from '@thgov/core/postgres';
import type { Result, Values } from './verify-command.js';

/**
 * One chain of a PostgresAuditSink. The label names the chain, never the URL (it may hold a password).
 * Loaded only with --postgres, so file verification never imports the driver. A chain without a record fails (the
 * library's `empty` error: no allowEmpty here).
 */
export async function verifyPostgresChain(
  url: string,
  chain: string,
  values: Values,
  keys: AuditChainKey[] | undefined,
): Promise<Result> {
  const file = `postgres:${values.schema ?? 'thgov'}/${chain}`;
  try {
    const mirror = values.anchor ? await new FileAnchorStore({ path: values.anchor }).read() : undefined;
    if (values.anchor && !mirror)
      return { file, error: `ERR_AUDIT_ANCHOR: the anchor file ${values.anchor} does not exist` };
    const result = await verifyPostgresAuditLog({
      connectionString: url,
      chain,
      poolSize: 1,
      ...(values.schema ? { schema: values.schema } : {}),
      ...(keys ? { keys } : {}),
      ...(mirror ? { mirror } : {}),
    });
    // No record: a chain never written under this name (a misspelt CHAIN) or one deleted whole. A missing log file
    // fails; so does this: the library says `empty` (no allowEmpty given), said here as before when it is all it says.
    if (result.errors.length > 0 && result.errors.every((e) => e.kind === 'empty'))
      return {
        file,
        error: `ERR_AUDIT_CHAIN: the chain ${chain} holds no record in ${values.schema ?? 'thgov'}.audit_records (a misspelt CHAIN, or a chain deleted whole)`,
      };
    return { file, result };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    return { file, error: `${e.code ?? 'ERR'}: ${e.message ?? String(err)}` };
  }
}
