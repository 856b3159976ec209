import type { AuditChainKey } from '@thgov/core';
import { FileAnchorStore } from '@thgov/core';
import { verifyPostgresAuditLog } from '@thgov/core/postgres';
import type { Result, Values } from './verify-command.js';

/**
 * One chain of a PostgresAuditSink. The label names the chain, never the URL (it may hold a password).
 * Loaded only with --postgres, so file verification never imports the driver.
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
    return { file, result };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    return { file, error: `${e.code ?? 'ERR'}: ${e.message ?? String(err)}` };
  }
}
