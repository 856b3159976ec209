// Attack class: edit and recompute. Whoever can write the log edits one record and recomputes every
// hash after it, so each link checks out. With the chain keyed (HMAC under a key the writer of the file
// does not have) no recomputation verifies: not with plain SHA-256, not in the old format, not with
// another key the attacker may know (the subject-hash key).
import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeLegacyRecord, encodeRecord, sha256Hex } from '../../src/audit/chain.js';
import { AuditKeyRing } from '../../src/audit/keys.js';
import { MemoryAuditSink } from '../../src/audit/memory-sink.js';
import { type AuditRecordBody, createSubjectHasher } from '../../src/audit/record.js';
import { verifyAuditLog } from '../../src/audit/verify.js';
import {
  anchorOf,
  auditDir,
  CHAIN_KEY,
  CITIZEN,
  readLines,
  SUBJECT_SECRET,
  sinkAt,
  verifyAnchored,
  writeLog,
} from '../helpers/audit.js';

const tmp = auditDir('audit-recompute');
afterAll(() => tmp.cleanup());

type Recompute = (body: AuditRecordBody, seq: number, prevHash: string) => { line: string; lineHash: string };

/** Edits record `target` (1-based) with `edit` and rewrites it and every later line with `recompute`. */
function rewrite(
  path: string,
  target: number,
  edit: (r: Record<string, unknown>) => void,
  recompute: Recompute,
) {
  const lines = readLines(path);
  let prev = target > 1 ? sha256Hex(lines[target - 2] as string) : '0'.repeat(64);
  for (let i = target - 1; i < lines.length; i++) {
    const { v: _v, seq, kid: _k, mac: _m, hash: _h, prevHash: _p, ...body } = JSON.parse(lines[i] as string);
    const record = body as Record<string, unknown>;
    if (i === target - 1) edit(record);
    const encoded = recompute(record as unknown as AuditRecordBody, seq as number, prev);
    lines[i] = encoded.line;
    prev = encoded.lineHash;
  }
  writeFileSync(path, lines.map((l) => `${l}\n`).join(''));
}

const deny = (r: Record<string, unknown>) => {
  r.status = 'error';
  r.caseRef = 'CASE-FORGED';
};

describe('edit one record and recompute the rest', () => {
  it('with plain SHA-256 (the old format): found without the anchor, and against it', async () => {
    const path = tmp.fresh();
    await writeLog(path, 6);
    rewrite(path, 3, deny, encodeLegacyRecord);
    const r = await verifyAuditLog({ path }, { keys: [CHAIN_KEY], allowMissingAnchor: true });
    expect(r.ok).toBe(false);
    expect(r.errors.map((e) => [e.seq, e.kind])).toEqual([
      [3, 'downgraded'],
      [4, 'downgraded'],
      [5, 'downgraded'],
      [6, 'downgraded'],
    ]);
    const anchored = await verifyAnchored(path);
    expect(anchored.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'edited', seq: 6 })]),
    );
  });

  it('in the keyed format under a key the attacker holds (even the subject-hash key): every rewritten MAC fails', async () => {
    const path = tmp.fresh();
    await writeLog(path, 5);
    for (const guess of [SUBJECT_SECRET, 'chain-key-guess-0000000000000000000000000']) {
      const ring = new AuditKeyRing([{ id: CHAIN_KEY.id, secret: guess }]);
      rewrite(path, 2, deny, (body, seq, prev) => encodeRecord(body, seq, prev, ring, CHAIN_KEY.id));
      const r = await verifyAuditLog({ path }, { keys: [CHAIN_KEY], allowMissingAnchor: true });
      expect(r.ok).toBe(false);
      expect(r.errors.filter((e) => e.kind === 'edited').map((e) => e.seq)).toEqual([2, 3, 4, 5]);
      expect(r.records.map((x) => x.seq)).toEqual([1]);
    }
  });

  it('relinking with plain hashes but keeping the old MACs: every relinked record fails its MAC', async () => {
    const path = tmp.fresh();
    await writeLog(path, 4);
    const lines = readLines(path);
    lines[1] = (lines[1] as string).replace('"status":"ok"', '"status":"error"');
    for (let i = 2; i < lines.length; i++) {
      const next = JSON.parse(lines[i] as string) as { prevHash: string };
      lines[i] = (lines[i] as string).replace(next.prevHash, sha256Hex(lines[i - 1] as string));
    }
    writeFileSync(path, lines.map((l) => `${l}\n`).join(''));
    const r = await verifyAnchored(path);
    expect(r.errors.filter((e) => /its MAC/.test(e.message)).map((e) => e.seq)).toEqual([2, 3, 4]);
    expect(r.errors).toContainEqual(
      expect.objectContaining({ seq: 4, message: expect.stringMatching(/anchor/) }),
    );
  });

  it('rewriting the whole log in the old format: fails as legacy; even accepted as legacy, the anchor fails it', async () => {
    const path = tmp.fresh();
    await writeLog(path, 4);
    rewrite(path, 1, deny, encodeLegacyRecord);
    const unanchored = await verifyAuditLog({ path }, { keys: [CHAIN_KEY], allowMissingAnchor: true });
    expect(unanchored).toMatchObject({ ok: false, format: 'legacy' });
    expect(unanchored.errors.map((e) => e.kind)).toEqual(['legacy']);
    const optedIn = await verifyAuditLog({ path }, { keys: [CHAIN_KEY], allowLegacy: true });
    expect(optedIn.warnings.map((w) => w.kind)).toEqual(['legacy-unkeyed', 'no-anchor']);
    expect(optedIn.warnings[0]?.message).toMatch(/^legacy, unkeyed/);
    const anchored = await verifyAnchored(path);
    expect(anchored.ok).toBe(false);
    expect(anchored.errors).toEqual([
      expect.objectContaining({ kind: 'legacy', seq: 1 }),
      expect.objectContaining({ kind: 'edited', seq: 4 }),
    ]);
    // And the sink will not extend it either.
    await expect(sinkAt(path).open()).rejects.toMatchObject({ code: 'ERR_AUDIT_ANCHOR' });
  });

  it('without the chain key nothing is called intact: keyed records are unverified', async () => {
    const path = tmp.fresh();
    await writeLog(path, 3);
    const r = await verifyAuditLog({ path });
    expect(r.ok).toBe(false);
    expect(r.errors).toEqual([expect.objectContaining({ kind: 'unverified', line: 1 })]);
    expect(r.errors[0]?.message).toMatch(
      /3 record\(s\) are authenticated with chain key 2026-01, and no chain key was given/,
    );
  });
});

describe('the verifier holds the chain key only, which opens no subject hash', () => {
  it('the chain key neither reproduces nor tests a subject hash', async () => {
    const sink = new MemoryAuditSink({ hmacSecret: SUBJECT_SECRET, chainKey: CHAIN_KEY });
    await sink.append({ who: 'system', service: 'gdx', subject: CITIZEN, status: 'ok' });
    const stored = sink.records[0]?.subject;
    expect(stored).toBe(createSubjectHasher(SUBJECT_SECRET)(CITIZEN));
    // What a verifier could try with its key: it does not match the stored hash.
    expect(stored).not.toBe(createSubjectHasher(CHAIN_KEY.secret)(CITIZEN));
    expect(stored).not.toContain(createHmac('sha256', CHAIN_KEY.secret).update(CITIZEN).digest('hex'));
    expect(stored).not.toContain(sha256Hex(CITIZEN));
  });

  it('sinks refuse a chain key that is the subject key', () => {
    const same = { id: 'k', secret: SUBJECT_SECRET };
    expect(() => sinkAt(tmp.fresh(), { chainKey: same })).toThrow(TypeError);
    expect(() => sinkAt(tmp.fresh(), { previousChainKeys: [same] })).toThrow(/must differ from hmacSecret/);
    expect(() => new MemoryAuditSink({ hmacSecret: SUBJECT_SECRET, chainKey: same })).toThrow(TypeError);
  });

  it('the anchor is authenticated too: editing its seq or hash is found', async () => {
    const path = tmp.fresh();
    await writeLog(path, 3);
    const anchor = (await anchorOf(path))!;
    for (const edited of [
      { ...anchor, seq: 2 },
      { ...anchor, hash: sha256Hex('x') },
    ]) {
      const r = await verifyAuditLog({ path }, { keys: [CHAIN_KEY], anchor: edited });
      expect(r.errors).toEqual([expect.objectContaining({ kind: 'anchor' })]);
    }
  });
});
