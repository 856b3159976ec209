import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeRecord, GENESIS_HASH, sha256Hex } from '../src/audit/chain.js';
import { FileAuditSink } from '../src/audit/file-sink.js';
import { MemoryAuditSink } from '../src/audit/memory-sink.js';
import { type AuditEvent, createSubjectHasher } from '../src/audit/record.js';
import { verifyAuditLog, verifyAuditLogText } from '../src/audit/verify.js';
import { isThGovError } from '../src/errors.js';
import { completeThaiId, formatThaiId } from '../src/identifiers.js';

const SECRET = 'agency-secret-0123456789abcdef';
const CITIZEN = completeThaiId('110370012345');
const OFFICER = completeThaiId('350990004321');

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'thgov-audit-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const freshPath = () => join(dir, `audit-${++counter}.jsonl`);

function event(i: number, extra: Partial<AuditEvent> = {}): AuditEvent {
  return {
    ts: new Date(Date.UTC(2026, 10, 27, 12, 0, i % 60)).toISOString(),
    who: OFFICER,
    client: 'registry-backend',
    service: 'gdx',
    operation: 'dopa.linkage',
    subject: CITIZEN,
    purpose: 'welfare eligibility check',
    caseRef: `CASE-${i}`,
    requestId: `req-${i}`,
    status: 'ok',
    statusCode: 200,
    latencyInMs: 12.5,
    responseBody: `{"n":${i}}`,
    extra: { xRoadRequestHash: `h${i}` },
    ...extra,
  };
}

async function writeLog(n: number, path = freshPath()): Promise<string> {
  const sink = new FileAuditSink({ path, hmacSecret: SECRET });
  for (let i = 1; i <= n; i++) await sink.append(event(i));
  await sink.close();
  return path;
}

const lines = (text: string) => text.split('\n').filter((l) => l.length > 0);

describe('subject hashing', () => {
  it('is a keyed HMAC: stable, normalized for dashes, different with another secret', () => {
    const h = createSubjectHasher(SECRET);
    const value = h(CITIZEN);
    expect(value).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(h(formatThaiId(CITIZEN))).toBe(value);
    expect(createSubjectHasher(`${SECRET}-other`)(CITIZEN)).not.toBe(value);
    // Not the plain SHA-256 that could be brute-forced over 10^12 IDs.
    expect(value).not.toContain(sha256Hex(CITIZEN));
  });

  it('refuses short or missing secrets and empty identifiers with coded TypeErrors', () => {
    expect(() => createSubjectHasher('short')).toThrow(TypeError);
    expect(() => createSubjectHasher(42 as unknown as string)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG' }),
    );
    expect(() => createSubjectHasher(SECRET)('')).toThrow(TypeError);
  });
});

describe('FileAuditSink', () => {
  it('writes chained JSONL with seq, prevHash from the previous line bytes and its own hash', async () => {
    const path = await writeLog(3);
    const text = readFileSync(path, 'utf8');
    const ls = lines(text);
    expect(ls).toHaveLength(3);
    const records = ls.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(records[0]!.prevHash).toBe(GENESIS_HASH);
    expect(records[1]!.prevHash).toBe(sha256Hex(ls[0]!));
    expect(records[2]!.prevHash).toBe(sha256Hex(ls[1]!));
    expect(records[0]).toMatchObject({
      service: 'gdx',
      status: 'ok',
      statusCode: 200,
      caseRef: 'CASE-1',
      extra: { xRoadRequestHash: 'h1' },
      responseDigest: `sha-256=:${Buffer.from(sha256Hex('{"n":1}'), 'hex').toString('base64')}:`,
    });
    expect(records[0]!.subject).toBe(createSubjectHasher(SECRET)(CITIZEN));
    expect(records[0]!.who).toBe(createSubjectHasher(SECRET)(OFFICER));
    expect(records[0]).not.toHaveProperty('responseBody');
    const result = await verifyAuditLog(path);
    expect(result.ok).toBe(true);
    expect(result.records).toHaveLength(3);
    expect(result.head).toEqual({ seq: 3, hash: sha256Hex(ls[2]!) });
  });

  it('never stores a citizen ID in clear, not even inside free text', async () => {
    const path = freshPath();
    const sink = new FileAuditSink({ path, hmacSecret: SECRET });
    await sink.append(
      event(1, {
        purpose: `lookup for ${CITIZEN}`,
        caseRef: formatThaiId(CITIZEN),
        who: formatThaiId(OFFICER),
      }),
    );
    await sink.close();
    const raw = readFileSync(path, 'utf8');
    for (const id of [CITIZEN, OFFICER, formatThaiId(CITIZEN), formatThaiId(OFFICER)])
      expect(raw).not.toContain(id);
    expect(raw).toContain('[CITIZEN-ID]');
  });

  it('resumes the chain across close and reopen', async () => {
    const path = await writeLog(2);
    const again = new FileAuditSink({ path, hmacSecret: SECRET });
    await again.append(event(3));
    await again.append(event(4));
    expect(await again.head()).toMatchObject({ seq: 4 });
    await again.close();
    const result = await verifyAuditLog({ path });
    expect(result.errors).toEqual([]);
    expect(result.records.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
  });

  it('keeps order and chain with 200 concurrent appends', async () => {
    const path = freshPath();
    const sink = new FileAuditSink({ path, hmacSecret: SECRET });
    await Promise.all(Array.from({ length: 200 }, (_, i) => sink.append(event(i + 1))));
    await sink.close();
    const result = await verifyAuditLog(path);
    expect(result.errors).toEqual([]);
    expect(result.records).toHaveLength(200);
    // Calls were queued in call order, so seq follows the call order too.
    expect(result.records.map((r) => r.caseRef)).toEqual(
      Array.from({ length: 200 }, (_, i) => `CASE-${i + 1}`),
    );
  });

  it('refuses to extend a file whose last line is incomplete, unless told to recover', async () => {
    const path = await writeLog(3);
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, text.slice(0, text.length - 20));
    const strict = new FileAuditSink({ path, hmacSecret: SECRET });
    const err = await strict.append(event(4)).catch((e: unknown) => e);
    expect(isThGovError(err, 'ERR_AUDIT_CHAIN')).toBe(true);
    await strict.close();
    expect(readFileSync(path, 'utf8')).toBe(text.slice(0, text.length - 20));

    const recovering = new FileAuditSink({ path, hmacSecret: SECRET, onBrokenTail: 'recover' });
    await recovering.append(event(4));
    await recovering.close();
    const result = await verifyAuditLog(path);
    expect(result.errors).toEqual([]);
    expect(result.records.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(result.records[2]!.caseRef).toBe('CASE-4');
    const setAside = readdirSync(dir).filter((f) => f.startsWith(`${path.split('/').pop()}.partial-`));
    expect(setAside).toHaveLength(1);
  });

  it('refuses a file whose last complete record was edited, even with recover', async () => {
    const path = await writeLog(2);
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, text.replace('CASE-2', 'CASE-9'));
    for (const onBrokenTail of ['refuse', 'recover'] as const) {
      const sink = new FileAuditSink({ path, hmacSecret: SECRET, onBrokenTail });
      const err = await sink.open().catch((e: unknown) => e);
      expect(isThGovError(err, 'ERR_AUDIT_CHAIN')).toBe(true);
      await sink.close();
    }
  });

  it('rejects bad events and options with coded TypeErrors that do not echo values', async () => {
    const sink = new FileAuditSink({ path: freshPath(), hmacSecret: SECRET, fsync: 'never' });
    const bad: unknown[] = [
      undefined,
      {},
      { ...event(1), status: 'maybe' },
      { ...event(1), unknown: 1 },
      { ...event(1), ts: 'yesterday' },
      { ...event(1), ts: new Date(Number.NaN) },
      { ...event(1), statusCode: 42 },
      { ...event(1), purpose: 'x'.repeat(5000) },
      { ...event(1), extra: { nested: { a: 1 } } },
      { ...event(1), who: '' },
    ];
    for (const b of bad) {
      const err = await sink.append(b as AuditEvent).catch((e: unknown) => e);
      expect(err, JSON.stringify(b)?.slice(0, 80)).toBeInstanceOf(TypeError);
      expect((err as { code?: string }).code).toBe('ERR_INVALID_ARG');
      expect((err as Error).message).not.toContain(CITIZEN);
    }
    await sink.close();
    expect(() => new FileAuditSink({ path: '', hmacSecret: SECRET })).toThrow(TypeError);
    expect(() => new FileAuditSink({ path: freshPath(), hmacSecret: 'short' })).toThrow(TypeError);
    expect(
      () => new FileAuditSink({ path: freshPath(), hmacSecret: SECRET, fsync: 'sometimes' } as never),
    ).toThrow(TypeError);
    expect(() => new FileAuditSink({ path: freshPath(), hmacSecret: SECRET, extra: true } as never)).toThrow(
      TypeError,
    );
  });

  it('append after close and an unwritable path are ERR_AUDIT_IO', async () => {
    const sink = new FileAuditSink({ path: freshPath(), hmacSecret: SECRET });
    await sink.append(event(1));
    await sink.close();
    await expect(sink.append(event(2))).rejects.toMatchObject({ code: 'ERR_AUDIT_IO' });
    const blocker = join(dir, `blocker-${++counter}`);
    writeFileSync(blocker, 'a file, not a directory');
    const broken = new FileAuditSink({ path: join(blocker, 'audit.jsonl'), hmacSecret: SECRET });
    await expect(broken.append(event(1))).rejects.toMatchObject({ code: 'ERR_AUDIT_IO' });
    await broken.close();
  });

  it('resumes after a last record longer than one read chunk', async () => {
    const path = await writeLog(1);
    const first = lines(readFileSync(path, 'utf8'))[0]!;
    // Written through the chain encoder directly: the event schema would refuse such a long field.
    const long = encodeRecord(
      {
        ts: new Date(0).toISOString(),
        who: 'system',
        service: 'gdx',
        status: 'ok',
        purpose: 'p'.repeat(200_000),
      },
      2,
      sha256Hex(first),
    );
    appendFileSync(path, `${long.line}\n`);
    const sink = new FileAuditSink({ path, hmacSecret: SECRET });
    await sink.append(event(3));
    expect(await sink.head()).toMatchObject({ seq: 3 });
    await sink.close();
    expect((await verifyAuditLog(path)).errors).toEqual([]);
  });

  it('recovers a file holding only an incomplete line by restarting from genesis', async () => {
    const path = freshPath();
    writeFileSync(path, '{"seq":1,"ts":"2026-');
    const sink = new FileAuditSink({ path, hmacSecret: SECRET, onBrokenTail: 'recover' });
    await sink.append(event(1));
    await sink.close();
    const r = await verifyAuditLog(path);
    expect(r.errors).toEqual([]);
    expect(r.records[0]).toMatchObject({ seq: 1, prevHash: GENESIS_HASH });
  });

  it('refuses a tail that is one endless line', async () => {
    const path = freshPath();
    writeFileSync(path, 'x'.repeat(3 * 1024 * 1024));
    const sink = new FileAuditSink({ path, hmacSecret: SECRET, onBrokenTail: 'recover' });
    await expect(sink.open()).rejects.toMatchObject({ code: 'ERR_AUDIT_CHAIN' });
    await sink.close();
  });

  it('refuses a second sink on the same file in one process until the first is closed', async () => {
    const path = freshPath();
    const a = new FileAuditSink({ path, hmacSecret: SECRET });
    await a.append(event(1));
    const b = new FileAuditSink({ path: `${dir}/./${path.split('/').pop()}`, hmacSecret: SECRET });
    await expect(b.append(event(2))).rejects.toMatchObject({ code: 'ERR_AUDIT_IO' });
    await a.close();
    await b.append(event(2));
    await b.close();
    expect((await verifyAuditLog(path)).records.map((r) => r.seq)).toEqual([1, 2]);
  });

  it('pending appends finish when close() is called right away', async () => {
    const path = freshPath();
    const sink = new FileAuditSink({ path, hmacSecret: SECRET });
    const pending = Array.from({ length: 20 }, (_, i) => sink.append(event(i + 1)));
    await sink.close();
    await Promise.all(pending);
    expect((await verifyAuditLog(path)).records).toHaveLength(20);
  });
});

describe('verifyAuditLog finds tampering and says where', () => {
  let clean = '';
  beforeAll(async () => {
    clean = readFileSync(await writeLog(6), 'utf8');
  });
  const withLines = (mutate: (ls: string[]) => string[]) => `${mutate(lines(clean)).join('\n')}\n`;

  it('edit of one byte in a middle record', () => {
    const ls = lines(clean);
    const target = ls[2]!;
    const i = target.indexOf('CASE-3') + 5;
    ls[2] = target.slice(0, i) + '7' + target.slice(i + 1);
    const r = verifyAuditLogText(`${ls.join('\n')}\n`);
    expect(r.ok).toBe(false);
    expect(r.errors).toEqual([expect.objectContaining({ line: 3, seq: 3, kind: 'edited' })]);
    expect(r.records).toHaveLength(5);
  });

  it('an edit with a recomputed self-hash is still found through the next record', () => {
    const ls = lines(clean);
    const obj = JSON.parse(ls[1]!) as Record<string, unknown>;
    obj.status = 'error';
    delete obj.hash;
    const unsigned = JSON.stringify(obj);
    ls[1] = `${unsigned.slice(0, -1)},"hash":"${sha256Hex(unsigned)}"}`;
    const r = verifyAuditLogText(`${ls.join('\n')}\n`);
    expect(r.errors).toEqual([expect.objectContaining({ line: 2, seq: 2, kind: 'edited' })]);
  });

  it('deleted record', () => {
    const r = verifyAuditLogText(withLines((ls) => ls.filter((_, i) => i !== 3)));
    expect(r.errors).toEqual([expect.objectContaining({ line: 4, seq: 5, kind: 'deleted' })]);
    expect(r.errors[0]!.message).toMatch(/seq 4 is missing/);
  });

  it('deleted first record', () => {
    const r = verifyAuditLogText(withLines((ls) => ls.slice(1)));
    expect(r.errors).toEqual([expect.objectContaining({ line: 1, seq: 2, kind: 'deleted' })]);
  });

  it('deleted newest records are only found against an anchored head', async () => {
    const full = verifyAuditLogText(clean);
    const cut = withLines((ls) => ls.slice(0, 4));
    expect(verifyAuditLogText(cut).ok).toBe(true);
    const r = verifyAuditLogText(cut, { expectHead: full.head });
    expect(r.errors).toEqual([expect.objectContaining({ kind: 'deleted' })]);
    expect(verifyAuditLogText(clean, { expectHead: full.head }).ok).toBe(true);
  });

  it('two records swapped', () => {
    const r = verifyAuditLogText(
      withLines((ls) => {
        const out = [...ls];
        [out[2], out[3]] = [out[3]!, out[2]!];
        return out;
      }),
    );
    expect(r.ok).toBe(false);
    expect(r.errors.every((e) => e.kind === 'reordered')).toBe(true);
    expect(r.errors.map((e) => e.line).every((l) => l === 3 || l === 4)).toBe(true);
  });

  it('a record moved far away', () => {
    const r = verifyAuditLogText(
      withLines((ls) => {
        const out = [...ls];
        const [moved] = out.splice(1, 1);
        out.push(moved!);
        return out;
      }),
    );
    expect(r.errors).toEqual([expect.objectContaining({ line: 6, seq: 2, kind: 'reordered' })]);
  });

  it('an inserted copy of a record', () => {
    const r = verifyAuditLogText(withLines((ls) => [...ls.slice(0, 3), ls[1]!, ...ls.slice(3)]));
    expect(r.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ line: 4, seq: 2, kind: 'inserted' })]),
    );
    expect(r.errors.some((e) => e.line === 2)).toBe(false);
  });

  it('a truncated last line', () => {
    const r = verifyAuditLogText(clean.slice(0, clean.length - 30));
    expect(r.errors).toEqual([expect.objectContaining({ line: 6, kind: 'truncated' })]);
    expect(r.records).toHaveLength(5);
  });

  it('a malformed JSON line and an empty line', () => {
    const r = verifyAuditLogText(withLines((ls) => [...ls.slice(0, 2), '{"seq": 3, oops', ...ls.slice(3)]));
    expect(r.errors).toEqual([expect.objectContaining({ line: 3, kind: 'malformed' })]);
    const blank = verifyAuditLogText(withLines((ls) => [...ls.slice(0, 2), '', ...ls.slice(2)]));
    expect(blank.errors).toEqual([expect.objectContaining({ line: 3, kind: 'malformed' })]);
  });

  it('accepts an empty log, text, bytes and { text }; bad input is a coded TypeError', async () => {
    expect((await verifyAuditLog('')).ok).toBe(true);
    expect((await verifyAuditLog(clean)).records).toHaveLength(6);
    expect((await verifyAuditLog(Buffer.from(clean))).records).toHaveLength(6);
    expect((await verifyAuditLog({ text: clean })).records).toHaveLength(6);
    await expect(verifyAuditLog(42 as unknown as string)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
    await expect(verifyAuditLog(join(dir, 'does-not-exist.jsonl'))).rejects.toMatchObject({
      code: 'ERR_AUDIT_IO',
    });
  });

  it('survives hostile input: binary garbage and a huge line', () => {
    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
    const r = verifyAuditLogText(garbage);
    expect(r.ok).toBe(false);
    expect(r.errors.every((e) => e.kind === 'malformed' || e.kind === 'truncated')).toBe(true);
    const huge = verifyAuditLogText(`${clean}{"seq":7,"x":"${'a'.repeat(2_000_000)}"}\n`);
    expect(huge.errors).toEqual([expect.objectContaining({ line: 7, kind: 'malformed' })]);
  });
});

describe('MemoryAuditSink', () => {
  it('produces the same chain format as the file sink', async () => {
    const sink = new MemoryAuditSink({ hmacSecret: SECRET });
    for (let i = 1; i <= 3; i++) await sink.append(event(i));
    const path = await writeLog(3);
    expect(sink.text()).toBe(readFileSync(path, 'utf8'));
    expect(sink.records.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(sink.head().seq).toBe(3);
    await sink.close();
    await expect(sink.append(event(4))).rejects.toMatchObject({ code: 'ERR_AUDIT_IO' });
  });

  it('appending to a file written by hand after a valid log keeps detection working', async () => {
    const path = await writeLog(2);
    appendFileSync(path, '{"seq":3,"forged":true}\n');
    const r = await verifyAuditLog(path);
    expect(r.errors).toEqual([expect.objectContaining({ line: 3, kind: 'malformed' })]);
  });
});
