// Attack class: a file or in-memory audit log that lost or changed records, checked against its anchor. Each case
// is one way to cut, splice or re-spell the log; verification must not come out ok.
import { appendFileSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryAuditSink } from '../../src/audit/memory-sink.js';
import { verifyAuditLog, verifyAuditLogText } from '../../src/audit/verify.js';
import {
  anchorOf,
  auditDir,
  auditEvent,
  CHAIN_KEY,
  CITIZEN,
  OFFICER,
  readLines,
  verifyAnchored,
  writeLog,
} from '../helpers/audit.js';

const tmp = auditDir('audit-tail-probe');
afterAll(() => tmp.cleanup());

const writeLines = (path: string, lines: string[]) =>
  writeFileSync(path, lines.map((l) => `${l}\n`).join(''));

describe('file log: cut, spliced or re-spelled, checked against its anchor', () => {
  it('cut in the middle of the last anchored record: truncated and deleted', async () => {
    const path = tmp.fresh();
    await writeLog(path, 6);
    const bytes = readFileSync(path);
    truncateSync(path, bytes.length - 40);
    const r = await verifyAnchored(path);
    expect(r.ok).toBe(false);
    expect(r.errors.map((e) => e.kind)).toEqual(expect.arrayContaining(['truncated', 'deleted']));
  });

  it('cut at a record boundary, then a partial write as a crash leaves: not ok', async () => {
    const path = tmp.fresh();
    await writeLog(path, 6);
    writeLines(path, readLines(path).slice(0, 4));
    appendFileSync(path, '{"v":2,"seq":5,"kid":"2026-01","ts":"2026-');
    const r = await verifyAnchored(path);
    expect(r.ok).toBe(false);
    expect(r.errors.map((e) => e.kind)).toContain('deleted');
  });

  it("another log's anchor under the same key: the head it names is not this log's", async () => {
    const a = tmp.fresh();
    const b = tmp.fresh();
    await writeLog(a, 5);
    await writeLog(b, 5, {}, 100);
    const r = await verifyAuditLog({ path: a }, { keys: [CHAIN_KEY], anchor: await anchorOf(b) });
    expect(r.ok).toBe(false);
    expect(r.errors.map((e) => e.kind)).toContain('edited');
  });

  it("the genesis record replaced by another log's genesis under the same key: not ok", async () => {
    const a = tmp.fresh();
    const b = tmp.fresh();
    await writeLog(a, 4);
    await writeLog(b, 4, {}, 100);
    writeLines(a, [readLines(b)[0] as string, ...readLines(a).slice(1)]);
    const r = await verifyAnchored(a);
    expect(r.ok).toBe(false);
    expect(r.errors.map((e) => e.kind)).toContain('edited');
  });

  it("the newest records replaced by another log's records of the same seqs: not ok", async () => {
    const a = tmp.fresh();
    const b = tmp.fresh();
    await writeLog(a, 6);
    await writeLog(b, 6, {}, 100);
    writeLines(a, [...readLines(a).slice(0, 4), ...readLines(b).slice(4)]);
    const r = await verifyAuditLog({ path: a }, { keys: [CHAIN_KEY], anchor: await anchorOf(b) });
    expect(r.ok).toBe(false);
  });

  it('the last record duplicated, or the last two swapped: not ok', async () => {
    const dup = tmp.fresh();
    await writeLog(dup, 4);
    const lines = readLines(dup);
    writeLines(dup, [...lines, lines[3] as string]);
    expect((await verifyAnchored(dup)).errors.map((e) => e.kind)).toContain('inserted');
    const swapped = tmp.fresh();
    await writeLog(swapped, 4);
    const s = readLines(swapped);
    writeLines(swapped, [s[0], s[1], s[3], s[2]] as string[]);
    expect((await verifyAnchored(swapped)).errors.map((e) => e.kind)).toContain('reordered');
  });

  it('a record re-spelled with the same JSON meaning (unicode escape, 2e2, a duplicate key): its MAC no longer matches', async () => {
    const path = tmp.fresh();
    await writeLog(path, 3);
    const lines = readLines(path);
    const respelled = [
      (lines[1] as string).replace('"service":"gdx"', '"service":"\\u0067dx"'),
      (lines[1] as string).replace('"statusCode":200', '"statusCode":2e2'),
      (lines[1] as string).replace('"status":"ok"', '"status":"error","status":"ok"'),
    ];
    for (const line of respelled) {
      expect(line).not.toBe(lines[1]);
      writeLines(path, [lines[0], line, lines[2]] as string[]);
      const r = await verifyAnchored(path);
      expect(r.ok).toBe(false);
      expect(r.errors.map((e) => e.kind)).toContain('edited');
    }
  });

  it('what verification reports names no citizen ID, subject hash or free text of a record', async () => {
    const path = tmp.fresh();
    await writeLog(path, 5);
    const lines = readLines(path);
    writeLines(path, [lines[0], (lines[1] as string).replace('welfare', 'WELFARE'), lines[3]] as string[]);
    const r = await verifyAnchored(path);
    expect(r.ok).toBe(false);
    const said = JSON.stringify([r.errors, r.warnings]);
    for (const secret of [CITIZEN, OFFICER, 'hmac-sha256:', 'welfare', 'WELFARE', 'CASE-', CHAIN_KEY.secret])
      expect(said).not.toContain(secret);
  });
});

describe('memory sink: cut against its anchor', () => {
  it('the newest record cut from sink.text(): deleted', async () => {
    const sink = new MemoryAuditSink({
      hmacSecret: 'agency-subject-secret-0123456789abcdef',
      chainKey: CHAIN_KEY,
    });
    for (let i = 0; i < 4; i++) await sink.append(auditEvent(i));
    const text = sink.text().split('\n').slice(0, 3).join('\n');
    const r = verifyAuditLogText(`${text}\n`, { keys: [CHAIN_KEY], anchor: sink.anchor() });
    expect(r.ok).toBe(false);
    expect(r.errors.map((e) => e.kind)).toContain('deleted');
  });
});
