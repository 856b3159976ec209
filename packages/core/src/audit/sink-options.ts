import { z } from '../lazy-zod.js';
import type { AuditAnchorStore } from './anchor.js';

/**
 * The option checks every audit sink shares (file and PostgreSQL): the chain's keys and an anchor store given as
 * an object. The secrets themselves are checked, and registered for redaction, by `AuditKeyRing`.
 */
const secretSchema = z.union([z.string(), z.instanceof(Uint8Array)]);
const chainKeySchema = z.object({ id: z.string(), secret: secretSchema }).strict();

export const auditKeyShape = {
  hmacSecret: secretSchema,
  chainKey: chainKeySchema,
  previousChainKeys: z.array(chainKeySchema).max(100).optional(),
};

export function isAnchorStore(v: unknown): v is AuditAnchorStore {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as AuditAnchorStore).read === 'function' &&
    typeof (v as AuditAnchorStore).write === 'function'
  );
}
