// Attack class: downgrade to the old format. Whoever can write the log but has no chain key rewrites every
// record in format 1 (unkeyed, plain SHA-256: anyone can compute it), changes one, and deletes the anchor. A
// whole-log rewrite has no keyed record left to fail its MAC and no anchor to compare with: the verifier and a
// sink asked to adopt the log took it as a legacy log, with warnings only. Legacy records are now an error
// unless the caller says the log is one from before keyed chains (`allowLegacy`, once, during migration).
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeLegacyRecord, sha256Hex } from '../../src/audit/chain.js';
import type { AuditRecordBody } from '../../src/audit/record.js';
import { verifyAuditLog } from '../../src/audit/verify.js';
import {
  anchorOf,
  auditDir,
  auditEvent,
  CHAIN_KEY,
  readLines,
  sinkAt,
  verifyAnchored,
  writeLog,
} from '../helpers/audit.js';

const tmp = auditDir('audit-legacy-forgery');
afterAll(() => tmp.cleanup());

/** Rewrites the whole log in format 1, changing record `target`, and deletes the anchor. */
function forgeLegacy(path: string, target: number): void {
  let prev = '0'.repeat(64);
  const out = readLines(path).map((text) => {
    const {
      v: _v,
      seq,
      kid: _k,
      mac: _m,
      prevHash: _p,
      ...body
    } = JSON.parse(text) as Record<string, unknown>;
    if (seq === target) body.caseRef = 'CASE-FORGED';
    const encoded = encodeLegacyRecord(body as unknown as AuditRecordBody, seq as number, prev);
    prev = encoded.lineHash;
    return `${encoded.line}\n`;
  });
  writeFileSync(path, out.join(''));
  rmSync(`${path}.anchor`);
}

async function forgedLog(n = 5, target = 3): Promise<string> {
  const path = tmp.fresh();
  await writeLog(path, n);
  forgeLegacy(path, target);
  return path;
}

describe('a keyed log rewritten in the unkeyed format, its anchor deleted', () => {
  it('fails verification with the chain keys: legacy records are an error, not a warning', async () => {
    const path = await forgedLog();
    const r = await verifyAuditLog({ path }, { keys: [CHAIN_KEY] });
    expect(r.ok).toBe(false);
    expect(r.format).toBe('legacy');
    expect(r.errors).toEqual([expect.objectContaining({ kind: 'legacy', line: 1, seq: 1 })]);
    expect(r.errors[0]?.message).toMatch(/5 record\(s\) .*unkeyed.*allowLegacy/);
  });

  it('fails without keys too: nothing authenticates a legacy record', async () => {
    const path = await forgedLog();
    const r = await verifyAuditLog({ path });
    expect(r.ok).toBe(false);
    expect(r.errors.map((e) => e.kind)).toEqual(['legacy']);
  });

  it('is not adopted by a sink with onMissingAnchor: adopt; no anchor is written, nothing appended', async () => {
    const path = await forgedLog();
    const before = readLines(path);
    const sink = sinkAt(path, { onMissingAnchor: 'adopt' });
    const err = await sink.append(auditEvent(9)).catch((e: unknown) => e);
    await sink.close();
    expect(err).toMatchObject({ code: 'ERR_AUDIT_CHAIN' });
    expect((err as Error).message).toMatch(/legacy/);
    expect((err as { hint?: string }).hint).toMatch(/allowLegacy/);
    expect(existsSync(`${path}.anchor`)).toBe(false);
    expect(readLines(path)).toEqual(before);
  });

  it('a legacy log is accepted only when the caller opts in (allowLegacy), and then with the warning', async () => {
    const path = await forgedLog(3, 0);
    const r = await verifyAuditLog({ path }, { keys: [CHAIN_KEY], allowLegacy: true });
    expect(r).toMatchObject({ ok: true, format: 'legacy' });
    expect(r.warnings.map((w) => w.kind)).toEqual(['legacy-unkeyed', 'no-anchor']);
    const sink = sinkAt(path, { onMissingAnchor: 'adopt', allowLegacy: true });
    await sink.append(auditEvent(4));
    await sink.close();
    // Adopted once: its first keyed record seals the legacy part, and later checks need no opt-in.
    const after = await verifyAnchored(path);
    expect(after).toMatchObject({ ok: true, format: 'mixed' });
    expect(after.warnings.map((w) => w.kind)).toEqual(['legacy-unkeyed']);
    expect(after.anchored).toEqual({ seq: 4, unanchored: 0 });
  });

  it('an adopted (mixed) log whose anchor was deleted is not adopted again without the opt-in', async () => {
    const path = await forgedLog(3, 0);
    const sink = sinkAt(path, { onMissingAnchor: 'adopt', allowLegacy: true });
    await sink.append(auditEvent(4));
    await sink.close();
    rmSync(`${path}.anchor`);
    const err = await sinkAt(path, { onMissingAnchor: 'adopt' })
      .open()
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_AUDIT_CHAIN' });
    expect(existsSync(`${path}.anchor`)).toBe(false);
  });

  it('cutting the keyed part off an adopted log leaves a legacy log: it fails again', async () => {
    const path = await forgedLog(3, 0);
    const sink = sinkAt(path, { onMissingAnchor: 'adopt', allowLegacy: true });
    await sink.append(auditEvent(4));
    await sink.append(auditEvent(5));
    await sink.close();
    const legacyPart = readLines(path).slice(0, 3);
    writeFileSync(path, legacyPart.map((l) => `${l}\n`).join(''));
    rmSync(`${path}.anchor`);
    const r = await verifyAuditLog({ path }, { keys: [CHAIN_KEY] });
    expect(r.ok).toBe(false);
    expect(r.errors.map((e) => e.kind)).toEqual(['legacy']);
    expect(sha256Hex(legacyPart[2] as string)).toBe(r.head.hash);
    expect(await anchorOf(path)).toBeUndefined();
  });

  it('allowLegacy must be a boolean', async () => {
    const path = await forgedLog(2, 0);
    await expect(
      verifyAuditLog({ path }, { allowLegacy: 'yes' as unknown as boolean }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
    expect(() => sinkAt(path, { allowLegacy: 1 as unknown as boolean })).toThrow(/allowLegacy/);
  });
});
