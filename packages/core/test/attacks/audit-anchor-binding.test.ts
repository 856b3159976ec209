// Attack class: the anchor of a file audit log deleted, put back older, or swapped for another log's, by whoever can
// write the log's folder. Format-3 anchors name their log (the first line's hash) and the sink's batch bound, and the
// records of a sink that keeps them say so: a missing, foreign or too old anchor is an error, not a warning. The
// crash cases (killed between the records and the anchor, at each step of a group commit) must stay warnings.
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { type AuditAnchor, type AuditAnchorStore, createAnchor } from '../../src/audit/anchor.js';
import { FileAnchorStore } from '../../src/audit/anchor-file.js';
import { encodeRecord, GENESIS_HASH } from '../../src/audit/chain.js';
import { AuditKeyRing } from '../../src/audit/keys.js';
import { MemoryAuditSink } from '../../src/audit/memory-sink.js';
import { verifyAuditLog, verifyAuditLogText } from '../../src/audit/verify.js';
import {
  anchorOf,
  auditDir,
  auditEvent,
  CHAIN_KEY,
  readLines,
  runWriter,
  SUBJECT_SECRET,
  sinkAt,
  verifyAnchored,
  writeLog,
} from '../helpers/audit.js';

const tmp = auditDir('audit-anchor-binding');
afterAll(() => tmp.cleanup());

const kinds = (r: { errors: { kind: string }[] }) => r.errors.map((e) => e.kind);
const warningKinds = (r: { warnings: { kind: string }[] }) => r.warnings.map((w) => w.kind);

describe('file log: the anchor deleted', () => {
  it('a log written by a sink that keeps format-3 anchors, verified without its anchor: an error', async () => {
    const path = tmp.fresh();
    await writeLog(path, 4);
    rmSync(`${path}.anchor`);
    const r = await verifyAnchored(path);
    expect(r.ok).toBe(false);
    expect(kinds(r)).toEqual(['anchor']);
    expect(r.errors[0]?.message).toMatch(/no anchor/);
    expect(warningKinds(r)).not.toContain('no-anchor');
  });

  it('the newest records cut and the anchor deleted: an error', async () => {
    const path = tmp.fresh();
    await writeLog(path, 6);
    writeFileSync(path, `${readLines(path).slice(0, 3).join('\n')}\n`);
    rmSync(`${path}.anchor`);
    const r = await verifyAuditLog({ path }, { keys: [CHAIN_KEY] });
    expect(r.ok).toBe(false);
    expect(kinds(r)).toContain('anchor');
  });

  it('an expected head given instead of the anchor is enough (it checks the tail exactly)', async () => {
    const path = tmp.fresh();
    await writeLog(path, 3);
    const head = (await verifyAnchored(path)).head;
    rmSync(`${path}.anchor`);
    const r = await verifyAuditLog({ path }, { keys: [CHAIN_KEY], expectHead: head });
    expect(r.errors).toEqual([]);
  });
});

describe('file log: an older anchor put back', () => {
  it('further behind than one batch: an error, not an unanchored tail', async () => {
    const path = tmp.fresh();
    await writeLog(path, 2);
    const old = await anchorOf(path);
    const sink = sinkAt(path, { fsync: 'never' });
    for (let i = 0; i < 3; i++)
      await Promise.all(Array.from({ length: 100 }, (_, k) => sink.append(auditEvent(3 + i * 100 + k))));
    await sink.close();
    await new FileAnchorStore({ path: `${path}.anchor` }).write(old as AuditAnchor);
    const r = await verifyAnchored(path);
    expect(r.ok).toBe(false);
    expect(kinds(r)).toEqual(['anchor']);
    expect(r.errors[0]?.message).toMatch(/300 records behind/);
  });

  it("a format-1 anchor (an old sink's) over records of a format-3 sink: an error", async () => {
    const path = tmp.fresh();
    await writeLog(path, 3);
    const ring = new AuditKeyRing([CHAIN_KEY]);
    const head = (await verifyAnchored(path)).head;
    const r = await verifyAuditLog(
      { path },
      { keys: [CHAIN_KEY], anchor: createAnchor(head, ring, CHAIN_KEY.id) },
    );
    expect(r.ok).toBe(false);
    expect(kinds(r)).toEqual(['anchor']);
  });
});

describe("file log: another log's anchor", () => {
  it("another log's anchor under the same key names another log: an anchor error", async () => {
    const a = tmp.fresh();
    const b = tmp.fresh();
    await writeLog(a, 5);
    await writeLog(b, 3, {}, 100);
    const r = await verifyAuditLog({ path: a }, { keys: [CHAIN_KEY], anchor: await anchorOf(b) });
    expect(r.ok).toBe(false);
    expect(r.errors).toContainEqual(
      expect.objectContaining({ kind: 'anchor', message: expect.stringMatching(/another log/) }),
    );
  });

  it('the sink refuses to continue a log under another log’s anchor', async () => {
    const a = tmp.fresh();
    const b = tmp.fresh();
    await writeLog(a, 5);
    await writeLog(b, 3, {}, 100);
    copyFileSync(`${b}.anchor`, `${a}.anchor`);
    await expect(sinkAt(a).open()).rejects.toThrow(/another log/);
  });

  it('a whole log and its anchor swapped for another log: found with the log identity recorded elsewhere', async () => {
    const a = tmp.fresh();
    const b = tmp.fresh();
    await writeLog(a, 3);
    await writeLog(b, 3, {}, 100);
    const identity = (await verifyAnchored(a)).log;
    expect(identity).toMatch(/^[0-9a-f]{64}$/);
    copyFileSync(b, a);
    copyFileSync(`${b}.anchor`, `${a}.anchor`);
    const r = await verifyAuditLog(
      { path: a },
      { keys: [CHAIN_KEY], anchor: await anchorOf(a), expectLog: identity },
    );
    expect(r.ok).toBe(false);
    expect(kinds(r)).toEqual(['anchor']);
  });
});

describe('format-1 anchors are still read', () => {
  it('over a log without the marker: ok, with a warning that the anchor names no log', () => {
    const text = oldLog();
    const ring = new AuditKeyRing([CHAIN_KEY]);
    const r = verifyAuditLogText(text.text, {
      keys: [CHAIN_KEY],
      anchor: createAnchor(text.head, ring, CHAIN_KEY.id),
    });
    expect(r.errors).toEqual([]);
    expect(warningKinds(r)).toEqual(['unbound-anchor']);
  });

  it('a MemoryAuditSink anchors in format 3, and its text carries the marker', async () => {
    const sink = new MemoryAuditSink({ hmacSecret: SUBJECT_SECRET, chainKey: CHAIN_KEY });
    for (let i = 0; i < 3; i++) await sink.append(auditEvent(i));
    expect(sink.anchor().v).toBe(3);
    expect(verifyAuditLogText(sink.text(), { keys: [CHAIN_KEY], anchor: sink.anchor() }).warnings).toEqual(
      [],
    );
    expect(kinds(verifyAuditLogText(sink.text(), { keys: [CHAIN_KEY] }))).toEqual(['anchor']);
    // Taken when asked, not after every batch: records appended since are an unanchored tail, not a put-back anchor.
    const earlier = sink.anchor();
    for (let i = 3; i < 8; i++) await sink.append(auditEvent(i));
    const later = verifyAuditLogText(sink.text(), { keys: [CHAIN_KEY], anchor: earlier });
    expect(later.errors).toEqual([]);
    expect(warningKinds(later)).toEqual(['unanchored-tail']);
  });

  it('a sink opening an old log re-anchors it in format 3 before it writes a record', async () => {
    const path = tmp.fresh();
    const old = oldLog();
    writeFileSync(path, old.text);
    await new FileAnchorStore({ path: `${path}.anchor` }).write(
      createAnchor(old.head, new AuditKeyRing([CHAIN_KEY]), CHAIN_KEY.id),
    );
    await sinkAt(path).open();
    expect((await anchorOf(path))?.v).toBe(3);
    await writeLog(path, 2, {}, 50);
    const r = await verifyAnchored(path);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
  });
});

/** A keyed log as sinks wrote it before the marker: records 1..3 without `anchorFormat`. */
function oldLog(): { text: string; head: { seq: number; hash: string } } {
  const ring = new AuditKeyRing([CHAIN_KEY]);
  let prev = GENESIS_HASH;
  let text = '';
  for (let seq = 1; seq <= 3; seq++) {
    const e = encodeRecord(
      { ts: '2026-01-05T10:00:00.000Z', who: 'system', service: 'gdx', status: 'ok' },
      seq,
      prev,
      ring,
      CHAIN_KEY.id,
    );
    text += `${e.line}\n`;
    prev = e.lineHash;
  }
  return { text, head: { seq: 3, hash: prev } };
}

/** An anchor store that dies (as the process would) at the `failAt`-th write, or on every write from then on. */
class CrashingAnchorStore implements AuditAnchorStore {
  readonly inner: FileAnchorStore;
  writes = 0;
  constructor(
    path: string,
    readonly failAt: number,
  ) {
    this.inner = new FileAnchorStore({ path });
  }
  read() {
    return this.inner.read();
  }
  async write(anchor: AuditAnchor) {
    if (++this.writes >= this.failAt) throw Object.assign(new Error('killed'), { code: 'EIO' });
    await this.inner.write(anchor);
  }
}

describe('crashes between the records and the anchor are not errors', () => {
  it('a new log killed before its first batch is anchored (anchor at seq 0)', async () => {
    const path = tmp.fresh();
    const store = new CrashingAnchorStore(`${path}.anchor`, 2);
    const sink = sinkAt(path, { anchor: store });
    await Promise.allSettled(Array.from({ length: 5 }, (_, i) => sink.append(auditEvent(i))));
    await sink.close();
    const r = await verifyAnchored(path);
    expect(r.errors).toEqual([]);
    expect(warningKinds(r)).toEqual(['unanchored-tail']);
    await writeLog(path, 1, {}, 9);
    expect((await verifyAnchored(path)).warnings).toEqual([]);
  });

  it('killed after a full batch (256 records) of a group commit reached the log, before its anchor', async () => {
    const path = tmp.fresh();
    await writeLog(path, 3);
    // The first append goes out alone (batch 1, anchored); the next 256 wait and go out together (batch 2).
    const store = new CrashingAnchorStore(`${path}.anchor`, 2);
    const sink = sinkAt(path, { anchor: store, fsync: 'never' });
    await Promise.allSettled(Array.from({ length: 300 }, (_, i) => sink.append(auditEvent(i))));
    await sink.close();
    // Batch 2 (256 records) is in the log, its anchor is not; the sink stopped before batch 3.
    const r = await verifyAnchored(path);
    expect(r.errors).toEqual([]);
    expect(r.anchored).toEqual({ seq: 4, unanchored: 256 });
    expect(warningKinds(r)).toEqual(['unanchored-tail']);
  });

  it('killed after only part of a batch reached the disk (the lines written before the kill)', async () => {
    const path = tmp.fresh();
    await writeLog(path, 4);
    const anchor = readFileSync(`${path}.anchor`);
    await writeLog(path, 3, {}, 10);
    const lines = readLines(path);
    writeFileSync(path, `${lines.slice(0, 5).join('\n')}\n`);
    writeFileSync(`${path}.anchor`, anchor);
    const r = await verifyAnchored(path);
    expect(r.errors).toEqual([]);
    expect(warningKinds(r)).toEqual(['unanchored-tail']);
  });

  it('killed while re-anchoring an old log in format 3 (the old anchor stays)', async () => {
    const path = tmp.fresh();
    const old = oldLog();
    writeFileSync(path, old.text);
    const store = new CrashingAnchorStore(`${path}.anchor`, 1);
    await store.inner.write(createAnchor(old.head, new AuditKeyRing([CHAIN_KEY]), CHAIN_KEY.id));
    await expect(sinkAt(path, { anchor: store }).open()).rejects.toThrow();
    const r = await verifyAnchored(path);
    expect(r.errors).toEqual([]);
    expect(warningKinds(r)).toEqual(['unbound-anchor']);
  });

  it('a writer killed (SIGKILL) anywhere in its group commits: the log verifies as it was left', async () => {
    for (const parallel of ['1', '16']) {
      const path = tmp.fresh();
      const { child, output, done } = runWriter([path, '0', parallel]);
      for (let i = 0; i < 1200 && !/^(4|8)0$/m.test(output()); i++)
        await new Promise((r) => setTimeout(r, 50));
      child.kill('SIGKILL');
      expect((await done).signal).toBe('SIGKILL');
      const r = await verifyAnchored(path);
      // A line cut mid-write is the one crash left to the sink (onBrokenTail: 'recover'), not an anchor matter.
      expect(kinds(r).filter((k) => k !== 'truncated')).toEqual([]);
      const sink = sinkAt(path, { onBrokenTail: 'recover' });
      await sink.append(auditEvent(1));
      await sink.close();
      const after = await verifyAnchored(path);
      expect(after.errors).toEqual([]);
      expect(after.warnings).toEqual([]);
    }
  });
});
