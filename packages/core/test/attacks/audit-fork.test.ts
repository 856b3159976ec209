// Attack class: chain fork. Several processes append to one log; without a lock between them each
// continues from the head it last saw, two records get one seq, and every writer reports success.

import { existsSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import {
  auditDir,
  auditEvent,
  lockIdentity,
  readLines,
  runWriter,
  sinkAt,
  verifyAnchored,
} from '../helpers/audit.js';

const tmp = auditDir('audit-fork');
afterAll(() => tmp.cleanup());

const WRITERS = 4;
const APPENDS = 150;

describe('several writers on one log', () => {
  it(`${WRITERS} processes × ${APPENDS} appends: one chain, no seq twice, verified against the anchor`, async () => {
    const path = tmp.fresh();
    const runs = Array.from({ length: WRITERS }, (_, i) =>
      runWriter([path, String(APPENDS), String(1 + (i % 3))]),
    );
    const results = await Promise.all(runs.map((r) => r.done));
    for (const r of results) {
      expect(r.code, r.out).toBe(0);
      expect(r.out).toContain(`done ${APPENDS}`);
    }
    const v = await verifyAnchored(path);
    expect(v.errors).toEqual([]);
    expect(v.warnings).toEqual([]);
    const seqs = v.records.map((r) => r.seq);
    expect(seqs).toEqual(Array.from({ length: WRITERS * APPENDS }, (_, i) => i + 1));
    const perWriter = new Map<string, number>();
    for (const r of v.records) perWriter.set(r.client ?? '', (perWriter.get(r.client ?? '') ?? 0) + 1);
    expect([...perWriter.values()]).toEqual(Array.from({ length: WRITERS }, () => APPENDS));
    expect(v.anchored).toEqual({ seq: WRITERS * APPENDS, unanchored: 0 });
  });

  it('two sinks on one file in one process extend one chain', async () => {
    const path = tmp.fresh();
    const a = sinkAt(path);
    const b = sinkAt(path);
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).append(auditEvent(i))));
    await a.append(auditEvent(100));
    await b.append(auditEvent(101));
    await Promise.all([a.close(), b.close()]);
    const v = await verifyAnchored(path);
    expect(v.errors).toEqual([]);
    expect(v.records.map((r) => r.seq)).toEqual(Array.from({ length: 42 }, (_, i) => i + 1));
  });
});

describe('the lock file', () => {
  it('a lock left by a dead process is broken and the chain goes on', async () => {
    const path = tmp.fresh();
    const dead = runWriter([path, '1']);
    const exited = await dead.done;
    expect(exited.code, exited.out).toBe(0);
    const pid = dead.child.pid as number;
    writeFileSync(
      `${path}.lock`,
      JSON.stringify({
        pid,
        host: hostname(),
        ...lockIdentity(),
        token: 'left-behind',
        ts: new Date().toISOString(),
      }),
    );
    const sink = sinkAt(path, { lockTimeoutInMs: 5_000 });
    await sink.append(auditEvent(2));
    await sink.close();
    expect(readLines(path)).toHaveLength(2);
    expect((await verifyAnchored(path)).errors).toEqual([]);
  });

  it('a lock held by a live process is waited for, then ERR_AUDIT_LOCK naming the holder; nothing is written', async () => {
    const path = tmp.fresh();
    const before = sinkAt(path);
    await before.append(auditEvent(1));
    await before.close();
    // This test's own process is alive: a lock naming it (with another token) is held, not stale.
    writeFileSync(
      `${path}.lock`,
      JSON.stringify({ pid: process.pid, host: hostname(), token: 'other', ts: '2026-01-01T00:00:00.000Z' }),
    );
    const sink = sinkAt(path, { lockTimeoutInMs: 50 });
    const err = await sink.append(auditEvent(2)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_AUDIT_LOCK', retryable: true });
    expect((err as Error).message).toContain(`process ${process.pid} on host ${hostname()}`);
    await sink.close();
    expect(readLines(path)).toHaveLength(1);
  });

  it('an empty lock file left long ago, and a breaker file left by a dead breaker, do not block for ever', async () => {
    const path = tmp.fresh();
    const long = new Date(Date.now() - 60_000);
    writeFileSync(`${path}.lock`, '');
    utimesSync(`${path}.lock`, long, long);
    const sink = sinkAt(path, { lockTimeoutInMs: 5_000 });
    await sink.append(auditEvent(1));
    const dead = runWriter([tmp.fresh(), '1']);
    await dead.done;
    writeFileSync(
      `${path}.lock`,
      JSON.stringify({
        pid: dead.child.pid,
        host: hostname(),
        ...lockIdentity(),
        token: 'x',
        ts: long.toISOString(),
      }),
    );
    writeFileSync(`${path}.lock.break`, '');
    utimesSync(`${path}.lock.break`, long, long);
    await sink.append(auditEvent(2));
    await sink.close();
    expect(existsSync(`${path}.lock`)).toBe(false);
    expect(existsSync(`${path}.lock.break`)).toBe(false);
    expect((await verifyAnchored(path)).records).toHaveLength(2);
  });

  it('a lock from another host is never broken (its process cannot be checked)', async () => {
    const path = tmp.fresh();
    writeFileSync(
      `${path}.lock`,
      JSON.stringify({
        pid: 999_999,
        host: 'other-replica.agency.go.th',
        token: 't',
        ts: '2026-01-01T00:00:00.000Z',
      }),
    );
    const sink = sinkAt(path, { lockTimeoutInMs: 30 });
    await expect(sink.open()).rejects.toMatchObject({ code: 'ERR_AUDIT_LOCK' });
    await sink.close();
    expect(existsSync(path)).toBe(false);
  });
});
