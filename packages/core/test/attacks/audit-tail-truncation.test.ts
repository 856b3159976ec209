// Attack class: tail truncation. Whoever can write the log file drops its newest records (or all of
// them); a shorter chain is still a valid chain, so only the anchor kept apart from the log tells.
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { AuditAnchor, AuditAnchorStore } from '../../src/audit/anchor.js';
import { FileAnchorStore } from '../../src/audit/anchor-file.js';
import { verifyAuditLog } from '../../src/audit/verify.js';
import { isThGovError } from '../../src/errors.js';
import {
  anchorOf,
  auditDir,
  auditEvent,
  CHAIN_KEY,
  readLines,
  runWriter,
  sinkAt,
  verifyAnchored,
  writeLog,
} from '../helpers/audit.js';

const tmp = auditDir('audit-truncation');
afterAll(() => tmp.cleanup());

const keepFirst = (path: string, n: number) =>
  writeFileSync(
    path,
    readLines(path)
      .slice(0, n)
      .map((l) => `${l}\n`)
      .join(''),
  );

describe('dropping the newest records', () => {
  for (const dropped of [1, 3, 8]) {
    it(`is found when the last ${dropped} record(s) are gone: verification fails against the anchor`, async () => {
      const path = tmp.fresh();
      await writeLog(path, 8);
      keepFirst(path, 8 - dropped);
      const r = await verifyAnchored(path);
      expect(r.ok).toBe(false);
      expect(r.errors).toEqual([expect.objectContaining({ kind: 'deleted' })]);
      expect(r.errors[0]?.message).toContain(`anchor is at seq 8`);
    });
  }

  it('without an anchor the shorter log cannot be told apart, and verification says so', async () => {
    const path = tmp.fresh();
    await writeLog(path, 5);
    keepFirst(path, 3);
    // The records say their writer keeps an anchor: without it, and without the caller waiving it, an error.
    const unwaived = await verifyAuditLog({ path }, { keys: [CHAIN_KEY] });
    expect(unwaived.errors.map((e) => e.kind)).toEqual(['anchor']);
    const r = await verifyAuditLog({ path }, { keys: [CHAIN_KEY], allowMissingAnchor: true });
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([
      { kind: 'no-anchor', message: 'no anchor: tail truncation cannot be detected' },
    ]);
  });

  it('a forged anchor (MAC under another key) is refused by the verifier and by the sink', async () => {
    const path = tmp.fresh();
    await writeLog(path, 4);
    keepFirst(path, 2);
    // The attacker re-anchors the cut log with a key of their own.
    const forger = sinkAt(tmp.fresh(), {
      chainKey: { id: CHAIN_KEY.id, secret: 'attacker-key-0123456789abcdef0123456789' },
    });
    await forger.append(auditEvent(1));
    const head = (await verifyAuditLog({ path }, { keys: [CHAIN_KEY] })).head;
    const forged: AuditAnchor = { ...(await anchorOf(forger.path))!, seq: head.seq, hash: head.hash };
    await forger.close();
    await new FileAnchorStore({ path: `${path}.anchor` }).write(forged);
    const r = await verifyAnchored(path);
    expect(r.errors).toEqual([expect.objectContaining({ kind: 'anchor' })]);
    await expect(sinkAt(path).open()).rejects.toMatchObject({ code: 'ERR_AUDIT_ANCHOR' });
  });
});

describe('restarting the sink on a cut log', () => {
  it('refuses to continue from a truncated tail, and leaves the file as it found it', async () => {
    const path = tmp.fresh();
    await writeLog(path, 6);
    keepFirst(path, 4);
    const cut = readFileSync(path);
    const sink = sinkAt(path);
    const err = await sink.append(auditEvent(7)).catch((e: unknown) => e);
    expect(isThGovError(err, 'ERR_AUDIT_ANCHOR')).toBe(true);
    expect((err as Error).message).toMatch(/ends at seq 4 but its anchor is at seq 6/);
    await sink.close();
    expect(readFileSync(path).equals(cut)).toBe(true);
  });

  it('refuses an emptied or deleted log', async () => {
    for (const cut of ['empty', 'deleted'] as const) {
      const path = tmp.fresh();
      await writeLog(path, 3);
      if (cut === 'empty') writeFileSync(path, '');
      else rmSync(path);
      await expect(sinkAt(path).open()).rejects.toMatchObject({ code: 'ERR_AUDIT_ANCHOR' });
    }
  });

  it('refuses a log whose anchor was deleted, unless told to adopt it after a full check', async () => {
    const path = tmp.fresh();
    await writeLog(path, 3);
    rmSync(`${path}.anchor`);
    await expect(sinkAt(path).open()).rejects.toMatchObject({ code: 'ERR_AUDIT_ANCHOR' });
    const adopting = sinkAt(path, { onMissingAnchor: 'adopt' });
    await adopting.append(auditEvent(4));
    await adopting.close();
    expect((await verifyAnchored(path)).records.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
  });

  it('refuses a log that differs from its anchor at the anchored seq (cut, then re-grown)', async () => {
    const path = tmp.fresh();
    await writeLog(path, 3);
    const anchor = readFileSync(`${path}.anchor`);
    // Cut to two records, let the (unknowing) sink write one more, put the old anchor back.
    keepFirst(path, 2);
    rmSync(`${path}.anchor`);
    await writeLog(path, 1, { onMissingAnchor: 'adopt' }, 99);
    writeFileSync(`${path}.anchor`, anchor);
    await expect(sinkAt(path).open()).rejects.toThrow(/differs from its anchor at seq 3/);
    const r = await verifyAnchored(path);
    expect(r.errors).toEqual([expect.objectContaining({ kind: 'edited', seq: 3 })]);
  });
});

/** An anchor store that fails when told to, as a disk would between the log write and the anchor write. */
class FlakyAnchorStore implements AuditAnchorStore {
  readonly inner: FileAnchorStore;
  failNext = false;
  constructor(path: string) {
    this.inner = new FileAnchorStore({ path });
  }
  read() {
    return this.inner.read();
  }
  async write(anchor: AuditAnchor) {
    if (this.failNext) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    await this.inner.write(anchor);
  }
}

describe('crash between append and anchor write (the anchor lags by one batch at most)', () => {
  it('the failed batch is rejected; a new sink accepts the records that reached the log and re-anchors', async () => {
    const path = tmp.fresh();
    const store = new FlakyAnchorStore(`${path}.anchor`);
    const sink = sinkAt(path, { anchor: store });
    for (let i = 1; i <= 3; i++) await sink.append(auditEvent(i));
    store.failNext = true;
    const failed = await Promise.allSettled([4, 5, 6].map((i) => sink.append(auditEvent(i))));
    expect(failed.map((f) => f.status)).toEqual(['rejected', 'rejected', 'rejected']);
    await expect(sink.append(auditEvent(7))).rejects.toMatchObject({ code: 'ERR_AUDIT_IO' });
    await sink.close();

    // The log holds 6 records, the anchor says 3: a verifier sees an unanchored tail, not a failure.
    const lagging = await verifyAuditLog({ path }, { keys: [CHAIN_KEY], anchor: await store.inner.read() });
    expect(lagging.errors).toEqual([]);
    expect(lagging.anchored).toEqual({ seq: 3, unanchored: 3 });
    expect(lagging.warnings.map((w) => w.kind)).toEqual(['unanchored-tail']);

    store.failNext = false;
    const again = sinkAt(path, { anchor: store });
    await again.append(auditEvent(8));
    await again.close();
    const r = await verifyAuditLog({ path }, { keys: [CHAIN_KEY], anchor: await store.inner.read() });
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.anchored).toEqual({ seq: 7, unanchored: 0 });
  });

  it('an anchor further behind than one batch is refused: it was put back, not left by a crash', async () => {
    const path = tmp.fresh();
    await writeLog(path, 1);
    const old = `${path}.anchor.old`;
    copyFileSync(`${path}.anchor`, old);
    const sink = sinkAt(path, { fsync: 'never' });
    await Promise.all(Array.from({ length: 300 }, (_, i) => sink.append(auditEvent(i + 2))));
    await sink.close();
    // 300 records in two batches (256 + 44): more than a crash between log and anchor write can leave.
    copyFileSync(old, `${path}.anchor`);
    await expect(sinkAt(path).open()).rejects.toThrow(/300 records ahead of its anchor/);
  });

  it('records after a lagging anchor must continue it with valid MACs', async () => {
    const path = tmp.fresh();
    await writeLog(path, 2);
    const anchor = readFileSync(`${path}.anchor`);
    await writeLog(path, 2, {}, 3);
    writeFileSync(`${path}.anchor`, anchor);
    // Tamper with a record after the anchor: the lag rule must not become a hole in the chain.
    const lines = readLines(path);
    lines[2] = (lines[2] as string).replace('CASE-3', 'CASE-X');
    writeFileSync(path, lines.map((l) => `${l}\n`).join(''));
    const err = await sinkAt(path)
      .open()
      .catch((e: unknown) => e);
    expect(isThGovError(err)).toBe(true);
    expect((err as { code: string }).code).toMatch(/ERR_AUDIT_(ANCHOR|CHAIN)/);
  });

  it('a writer killed (SIGKILL) mid-run leaves a log the next sink opens and an auditor verifies', async () => {
    const path = tmp.fresh();
    const { child, output, done } = runWriter([path, '0', '4']);
    // Bounded wait until the writer has appended at least 40 records, then kill it wherever it is.
    for (let i = 0; i < 1200 && !/^40$/m.test(output()); i++) await new Promise((r) => setTimeout(r, 50));
    expect(output()).toMatch(/^40$/m);
    child.kill('SIGKILL');
    const exit = await done;
    expect(exit.signal).toBe('SIGKILL');
    const sink = sinkAt(path);
    await sink.append(auditEvent(10_000));
    const head = await sink.head();
    await sink.close();
    const r = await verifyAnchored(path);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(head.seq).toBeGreaterThanOrEqual(41);
    expect(r.head).toEqual(head);
  });
});
