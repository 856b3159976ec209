import { readFile, writeFile } from 'node:fs/promises';
import { FileAnchorStore, verifyAuditLog } from '@thgov/core';
import type { DemoContext } from '../context.js';

/** e. Closes the audit log and checks its keyed chain, as an auditor would: with the chain key and the anchor. */
export async function auditVerify(ctx: DemoContext, citizenIds: string[]): Promise<void> {
  const { report } = ctx;
  const head = await ctx.audit.head();
  await ctx.audit.close();
  if (ctx.breakAt === 'audit') {
    // Someone "fixes" a purpose after the fact: the chain must show it.
    const text = await readFile(ctx.auditPath, 'utf8');
    await writeFile(ctx.auditPath, text.replace('welfare application', 'welfare applicatiom'));
  }
  const anchor = await new FileAnchorStore({ path: `${ctx.auditPath}.anchor` }).read();
  const result = await verifyAuditLog(
    { path: ctx.auditPath },
    { keys: [ctx.auditChainKey], ...(anchor ? { anchor } : {}), expectHead: head },
  );
  const raw = await readFile(ctx.auditPath, 'utf8');
  const leaked = citizenIds.filter((id) => raw.includes(id)).length;
  const services = [...new Set(result.records.map((r) => r.service))].join(', ');
  report.detail(
    `${result.records.length} records (${services}), ${result.format} chain anchored at seq ${result.anchored?.seq ?? '-'}, head hash ${result.head.hash.slice(0, 12)}…`,
  );
  const withPurpose = result.records.filter((r) => r.purpose).length;
  report.detail(
    `${withPurpose}/${result.records.length} records carry a purpose; citizen IDs in clear: ${leaked} (stored as hmac-sha256 keyed hashes)`,
  );
  if (!result.ok) {
    const first = result.errors[0];
    throw Object.assign(
      new Error(`audit log broken: line ${first?.line ?? '?'} ${first?.kind ?? ''}: ${first?.message ?? ''}`),
      { code: 'ERR_AUDIT_CHAIN' },
    );
  }
  if (leaked > 0) throw new Error('a citizen ID is stored in clear in the audit log');
  if (!result.records.every((r) => r.purpose)) throw new Error('an audit record has no purpose');
}
