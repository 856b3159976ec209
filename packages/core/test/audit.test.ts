import { appendFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileAnchorStore } from '../src/audit/anchor-file.js';
import { encodeLegacyRecord, encodeRecord, GENESIS_HASH, sha256Hex } from '../src/audit/chain.js';
import { FileAuditSink } from '../src/audit/file-sink.js';
import { AuditKeyRing, parseAuditChainKeys } from '../src/audit/keys.js';
import { MemoryAuditSink } from '../src/audit/memory-sink.js';
import { type AuditEvent, createSubjectHasher, toRecordBody } from '../src/audit/record.js';
import { verifyAuditLog, verifyAuditLogText } from '../src/audit/verify.js';
import { isThGovError } from '../src/errors.js';
import { formatThaiId } from '../src/identifiers.js';
import {
  anchorOf,
  auditDir,
  auditEvent,
  CHAIN_KEY,
  CITIZEN,
  NEXT_CHAIN_KEY,
  OFFICER,
  SUBJECT_SECRET,
  sinkAt,
  verifyAnchored,
  writeLog as writeLogAt,
} from './helpers/audit.js';

const SECRET = SUBJECT_SECRET;
// These tests check the chain itself, mostly without the anchor at hand: a log whose records say their writer keeps
// an anchor is then an `anchor` error unless the caller accepts its absence (attacks/audit-anchor-binding.test.ts).
const KEYS = { keys: [CHAIN_KEY], allowMissingAnchor: true };
const tmp = auditDir('audit');
const dir = tmp.dir;
afterAll(() => tmp.cleanup());
let counter = 0;
const freshPath = tmp.fresh;

function event(i: number, extra: Partial<AuditEvent> = {}): AuditEvent {
  return auditEvent(i, extra);
}

async function writeLog(n: number, path = freshPath()): Promise<string> {
  const sink = sinkAt(path);
  for (let i = 1; i <= n; i++) await sink.append(event(i));
  await sink.close();
  return path;
}

const lines = (text: string) => text.split('\n').filter((l) => l.length > 0);

/** A log in the first (unkeyed) format, as thgov wrote them before the chain was keyed. */
function legacyLog(n: number, from = 1): string {
  const hash = createSubjectHasher(SECRET);
  let prev = GENESIS_HASH;
  let text = '';
  for (let i = from; i < from + n; i++) {
    const { line, lineHash } = encodeLegacyRecord(toRecordBody(event(i), hash), i - from + 1, prev);
    text += `${line}\n`;
    prev = lineHash;
  }
  return text;
}

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
  it('writes keyed JSONL: v 2, seq, kid, prevHash from the previous line bytes and an HMAC', async () => {
    const path = await writeLog(3);
    const text = readFileSync(path, 'utf8');
    const ls = lines(text);
    expect(ls).toHaveLength(3);
    const records = ls.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(records.map((r) => [r.v, r.kid])).toEqual([
      [2, CHAIN_KEY.id],
      [2, CHAIN_KEY.id],
      [2, CHAIN_KEY.id],
    ]);
    expect(ls[0]).toMatch(/^\{"v":2,"seq":1,"kid":"2026-01",.*,"mac":"[0-9a-f]{64}"\}$/);
    expect(records[0]).not.toHaveProperty('hash');
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
    const result = await verifyAnchored(path);
    expect(result).toMatchObject({
      ok: true,
      format: 'keyed',
      warnings: [],
      anchored: { seq: 3, unanchored: 0 },
    });
    expect(result.records).toHaveLength(3);
    expect(result.head).toEqual({ seq: 3, hash: sha256Hex(ls[2]!) });
    expect(await anchorOf(path)).toMatchObject({
      v: 3,
      log: sha256Hex(ls[0]!),
      batch: 256,
      seq: 3,
      hash: sha256Hex(ls[2]!),
      kid: CHAIN_KEY.id,
    });
  });

  it('creates missing directories for the log (and its lock and anchor)', async () => {
    const path = join(dir, `nested-${++counter}`, 'deeper', 'gdx.jsonl');
    const sink = sinkAt(path);
    await sink.append(event(1));
    await sink.close();
    expect((await verifyAnchored(path)).records).toHaveLength(1);
  });

  it('never stores a citizen ID in clear, not even inside free text', async () => {
    const path = freshPath();
    const sink = sinkAt(path);
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
    const again = sinkAt(path);
    await again.append(event(3));
    await again.append(event(4));
    expect(await again.head()).toMatchObject({ seq: 4 });
    await again.close();
    const result = await verifyAuditLog({ path }, KEYS);
    expect(result.errors).toEqual([]);
    expect(result.records.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
  });

  it('keeps order and chain with 200 concurrent appends', async () => {
    const path = freshPath();
    const sink = sinkAt(path);
    await Promise.all(Array.from({ length: 200 }, (_, i) => sink.append(event(i + 1))));
    await sink.close();
    const result = await verifyAuditLog(path, KEYS);
    expect(result.errors).toEqual([]);
    expect(result.records).toHaveLength(200);
    // Calls were queued in call order, so seq follows the call order too.
    expect(result.records.map((r) => r.caseRef)).toEqual(
      Array.from({ length: 200 }, (_, i) => `CASE-${i + 1}`),
    );
  });

  it('refuses to extend a file whose last line is incomplete, unless told to recover', async () => {
    const path = await writeLog(3);
    // A crash in the middle of writing record 4: its bytes are partly on disk, the anchor still says 3.
    const fragment = '{"v":2,"seq":4,"kid":"2026-01","ts":"2026-';
    appendFileSync(path, fragment);
    const text = readFileSync(path, 'utf8');
    const strict = sinkAt(path);
    const err = await strict.append(event(4)).catch((e: unknown) => e);
    expect(isThGovError(err, 'ERR_AUDIT_CHAIN')).toBe(true);
    await strict.close();
    expect(readFileSync(path, 'utf8')).toBe(text);

    const recovering = sinkAt(path, { onBrokenTail: 'recover' });
    await recovering.append(event(5));
    await recovering.close();
    const result = await verifyAnchored(path);
    expect(result.errors).toEqual([]);
    expect(result.records.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    expect(result.records[3]!.caseRef).toBe('CASE-5');
    const setAside = readdirSync(dir).filter((f) => f.startsWith(`${path.split('/').pop()}.partial-`));
    expect(setAside).toHaveLength(1);
    expect(readFileSync(join(dir, setAside[0]!), 'utf8')).toBe(fragment);
  });

  it('an incomplete last line inside the anchored records is a cut, not a crash: refused even with recover', async () => {
    const path = await writeLog(3);
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, text.slice(0, text.length - 20));
    const sink = sinkAt(path, { onBrokenTail: 'recover' });
    await expect(sink.open()).rejects.toMatchObject({ code: 'ERR_AUDIT_ANCHOR' });
    await sink.close();
    expect(readFileSync(path, 'utf8')).toBe(text.slice(0, text.length - 20));
    expect(readdirSync(dir).some((f) => f.startsWith(`${path.split('/').pop()}.partial-`))).toBe(false);
  });

  it('refuses a file whose last complete record was edited, even with recover', async () => {
    const path = await writeLog(2);
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, text.replace('CASE-2', 'CASE-9'));
    for (const onBrokenTail of ['refuse', 'recover'] as const) {
      const sink = sinkAt(path, { onBrokenTail });
      const err = await sink.open().catch((e: unknown) => e);
      expect(isThGovError(err, 'ERR_AUDIT_CHAIN')).toBe(true);
      await sink.close();
    }
  });

  it('rejects bad events and options with coded TypeErrors that do not echo values', async () => {
    const sink = sinkAt(freshPath(), { fsync: 'never' });
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
    const base = { path: freshPath(), hmacSecret: SECRET, chainKey: CHAIN_KEY };
    const badOptions: unknown[] = [
      { ...base, path: '' },
      { ...base, hmacSecret: 'short' },
      { ...base, fsync: 'sometimes' },
      { ...base, extra: true },
      { path: base.path, hmacSecret: SECRET },
      { ...base, chainKey: { id: 'k', secret: 'too-short-for-a-chain-key' } },
      { ...base, chainKey: { id: 'bad id\u001b[2J', secret: CHAIN_KEY.secret } },
      { ...base, previousChainKeys: [CHAIN_KEY] },
      { ...base, anchor: 42 },
      { ...base, anchor: { read: () => undefined } },
      { ...base, onMissingAnchor: 'ignore' },
      { ...base, lockTimeoutInMs: -1 },
    ];
    for (const options of badOptions) {
      let err: unknown;
      try {
        new FileAuditSink(options as never);
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(options)).toBeInstanceOf(TypeError);
      expect((err as { code?: string }).code).toBe('ERR_INVALID_ARG');
      expect((err as Error).message).not.toContain(CHAIN_KEY.secret);
    }
  });

  it('append after close and an unwritable path are ERR_AUDIT_IO', async () => {
    const sink = sinkAt(freshPath());
    await sink.append(event(1));
    await sink.close();
    await expect(sink.append(event(2))).rejects.toMatchObject({ code: 'ERR_AUDIT_IO' });
    const blocker = join(dir, `blocker-${++counter}`);
    writeFileSync(blocker, 'a file, not a directory');
    const broken = sinkAt(join(blocker, 'audit.jsonl'));
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
      new AuditKeyRing([CHAIN_KEY]),
      CHAIN_KEY.id,
    );
    // Beyond the anchor: accepted as the one batch a crash can leave, since its MAC is valid.
    appendFileSync(path, `${long.line}\n`);
    const sink = sinkAt(path);
    await sink.append(event(3));
    expect(await sink.head()).toMatchObject({ seq: 3 });
    await sink.close();
    expect((await verifyAuditLog(path, KEYS)).errors).toEqual([]);
  });

  it('recovers a file holding only an incomplete line by restarting from genesis', async () => {
    const path = freshPath();
    writeFileSync(path, '{"seq":1,"ts":"2026-');
    const sink = sinkAt(path, { onBrokenTail: 'recover' });
    await sink.append(event(1));
    await sink.close();
    const r = await verifyAuditLog(path, KEYS);
    expect(r.errors).toEqual([]);
    expect(r.records[0]).toMatchObject({ seq: 1, prevHash: GENESIS_HASH });
  });

  it('refuses a tail that is one endless line', async () => {
    const path = freshPath();
    writeFileSync(path, 'x'.repeat(3 * 1024 * 1024));
    const sink = sinkAt(path, { onBrokenTail: 'recover' });
    await expect(sink.open()).rejects.toMatchObject({ code: 'ERR_AUDIT_CHAIN' });
    await sink.close();
  });

  it('pending appends finish when close() is called right away', async () => {
    const path = freshPath();
    const sink = sinkAt(path);
    const pending = Array.from({ length: 20 }, (_, i) => sink.append(event(i + 1)));
    await sink.close();
    await Promise.all(pending);
    expect((await verifyAuditLog(path, KEYS)).records).toHaveLength(20);
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
    const r = verifyAuditLogText(`${ls.join('\n')}\n`, KEYS);
    expect(r.ok).toBe(false);
    expect(r.errors).toEqual([expect.objectContaining({ line: 3, seq: 3, kind: 'edited' })]);
    expect(r.records).toHaveLength(5);
  });

  it('in a legacy log, an edit with a recomputed self-hash is still found through the next record', () => {
    const ls = lines(legacyLog(4));
    const obj = JSON.parse(ls[1]!) as Record<string, unknown>;
    obj.status = 'error';
    delete obj.hash;
    const unsigned = JSON.stringify(obj);
    ls[1] = `${unsigned.slice(0, -1)},"hash":"${sha256Hex(unsigned)}"}`;
    const r = verifyAuditLogText(`${ls.join('\n')}\n`, { ...KEYS, allowLegacy: true });
    expect(r.errors).toEqual([expect.objectContaining({ line: 2, seq: 2, kind: 'edited' })]);
  });

  it('deleted record', () => {
    const r = verifyAuditLogText(
      withLines((ls) => ls.filter((_, i) => i !== 3)),
      KEYS,
    );
    expect(r.errors).toEqual([expect.objectContaining({ line: 4, seq: 5, kind: 'deleted' })]);
    expect(r.errors[0]!.message).toMatch(/seq 4 is missing/);
  });

  it('deleted first record', () => {
    const r = verifyAuditLogText(
      withLines((ls) => ls.slice(1)),
      KEYS,
    );
    expect(r.errors).toEqual([expect.objectContaining({ line: 1, seq: 2, kind: 'deleted' })]);
  });

  it('deleted newest records are only found against an anchored head', async () => {
    const full = verifyAuditLogText(clean, KEYS);
    const cut = withLines((ls) => ls.slice(0, 4));
    expect(verifyAuditLogText(cut, KEYS).ok).toBe(true);
    const r = verifyAuditLogText(cut, { ...KEYS, expectHead: full.head });
    expect(r.errors).toEqual([expect.objectContaining({ kind: 'deleted' })]);
    expect(verifyAuditLogText(clean, { ...KEYS, expectHead: full.head }).ok).toBe(true);
  });

  it('two records swapped', () => {
    const r = verifyAuditLogText(
      withLines((ls) => {
        const out = [...ls];
        [out[2], out[3]] = [out[3]!, out[2]!];
        return out;
      }),
      KEYS,
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
      KEYS,
    );
    expect(r.errors).toEqual([expect.objectContaining({ line: 6, seq: 2, kind: 'reordered' })]);
  });

  it('an inserted copy of a record', () => {
    const r = verifyAuditLogText(
      withLines((ls) => [...ls.slice(0, 3), ls[1]!, ...ls.slice(3)]),
      KEYS,
    );
    expect(r.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ line: 4, seq: 2, kind: 'inserted' })]),
    );
    expect(r.errors.some((e) => e.line === 2)).toBe(false);
  });

  it('a truncated last line', () => {
    const r = verifyAuditLogText(clean.slice(0, clean.length - 30), KEYS);
    expect(r.errors).toEqual([expect.objectContaining({ line: 6, kind: 'truncated' })]);
    expect(r.records).toHaveLength(5);
  });

  it('a malformed JSON line and an empty line', () => {
    const r = verifyAuditLogText(
      withLines((ls) => [...ls.slice(0, 2), '{"seq": 3, oops', ...ls.slice(3)]),
      KEYS,
    );
    expect(r.errors).toEqual([expect.objectContaining({ line: 3, kind: 'malformed' })]);
    const blank = verifyAuditLogText(
      withLines((ls) => [...ls.slice(0, 2), '', ...ls.slice(2)]),
      KEYS,
    );
    expect(blank.errors).toEqual([expect.objectContaining({ line: 3, kind: 'malformed' })]);
  });

  it('reads an empty log (ok only with allowEmpty), text, bytes and { text }; bad input is a coded TypeError', async () => {
    expect(await verifyAuditLog('')).toMatchObject({
      ok: false,
      format: 'empty',
      errors: [{ kind: 'empty' }],
    });
    expect(await verifyAuditLog('', { allowEmpty: true })).toMatchObject({ ok: true, format: 'empty' });
    expect((await verifyAuditLog(clean, KEYS)).records).toHaveLength(6);
    expect((await verifyAuditLog(Buffer.from(clean), KEYS)).records).toHaveLength(6);
    expect((await verifyAuditLog({ text: clean }, KEYS)).records).toHaveLength(6);
    await expect(verifyAuditLog(clean, { keys: 'k1:secret' as never })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG',
    });
    await expect(verifyAuditLog(clean, { expectHead: { seq: '1' } as never })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG',
    });
    await expect(verifyAuditLog(42 as unknown as string)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
    await expect(verifyAuditLog(join(dir, 'does-not-exist.jsonl'))).rejects.toMatchObject({
      code: 'ERR_AUDIT_IO',
    });
  });

  it('survives hostile input: binary garbage and a huge line', () => {
    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
    const r = verifyAuditLogText(garbage, KEYS);
    expect(r.ok).toBe(false);
    expect(r.errors.every((e) => e.kind === 'malformed' || e.kind === 'truncated')).toBe(true);
    const huge = verifyAuditLogText(`${clean}{"seq":7,"x":"${'a'.repeat(2_000_000)}"}\n`, KEYS);
    expect(huge.errors).toEqual([expect.objectContaining({ line: 7, kind: 'malformed' })]);
  });
});

describe('MemoryAuditSink', () => {
  it('produces the same chain format as the file sink', async () => {
    const sink = new MemoryAuditSink({ hmacSecret: SECRET, chainKey: CHAIN_KEY });
    for (let i = 1; i <= 3; i++) await sink.append(event(i));
    const path = await writeLog(3);
    expect(sink.text()).toBe(readFileSync(path, 'utf8'));
    const anchored = verifyAuditLogText(sink.text(), { ...KEYS, anchor: sink.anchor() });
    expect(anchored).toMatchObject({ ok: true, warnings: [], anchored: { seq: 3, unanchored: 0 } });
    expect(sink.records.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(sink.head().seq).toBe(3);
    await sink.close();
    await expect(sink.append(event(4))).rejects.toMatchObject({ code: 'ERR_AUDIT_IO' });
    expect(() => new MemoryAuditSink({ chainKey: CHAIN_KEY, extra: 1 } as never)).toThrow(TypeError);
    expect(() => new MemoryAuditSink({ chainKey: { id: 'k', secret: 'short' } })).toThrow(
      /at least 32 bytes/,
    );
  });

  it('appending to a file written by hand after a valid log keeps detection working', async () => {
    const path = await writeLog(2);
    appendFileSync(path, '{"seq":3,"forged":true}\n');
    const r = await verifyAuditLog(path, KEYS);
    expect(r.errors).toEqual([expect.objectContaining({ line: 3, kind: 'malformed' })]);
  });
});

describe('chain key rotation', () => {
  it('records carry their key id; a ring with every id verifies the whole log', async () => {
    const path = await writeLog(2);
    const rotated = sinkAt(path, { chainKey: NEXT_CHAIN_KEY, previousChainKeys: [CHAIN_KEY] });
    await rotated.append(event(3));
    await rotated.append(event(4));
    await rotated.close();
    expect(readFileSync(path, 'utf8').match(/"kid":"[^"]+"/g)).toEqual([
      '"kid":"2026-01"',
      '"kid":"2026-01"',
      '"kid":"2027-01"',
      '"kid":"2027-01"',
    ]);
    const all = await verifyAnchored(path, [NEXT_CHAIN_KEY, CHAIN_KEY]);
    expect(all).toMatchObject({ ok: true, format: 'keyed', warnings: [] });
    expect((await anchorOf(path))?.kid).toBe(NEXT_CHAIN_KEY.id);
    // A ring without the old key cannot vouch for the old records.
    const partial = await verifyAnchored(path, [NEXT_CHAIN_KEY]);
    expect(partial.errors).toEqual([expect.objectContaining({ kind: 'unverified', line: 1 })]);
    expect(partial.errors[0]?.message).toContain('2 record(s) are authenticated with chain key 2026-01');
    // Once the tail and the anchor use the new key, the sink no longer needs the old one.
    const later = sinkAt(path, { chainKey: NEXT_CHAIN_KEY });
    await later.append(event(5));
    await later.close();
    expect((await verifyAnchored(path, [CHAIN_KEY, NEXT_CHAIN_KEY])).records).toHaveLength(5);
  });

  it('a sink without the key of the last record or of the anchor refuses with ERR_AUDIT_KEY / ERR_AUDIT_ANCHOR', async () => {
    const path = await writeLog(2);
    const err = await sinkAt(path, { chainKey: NEXT_CHAIN_KEY })
      .open()
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_AUDIT_KEY' });
    expect((err as Error).message).toContain('chain key 2026-01, which was not given');
    // Tail rotated, anchor still from the old key (e.g. written by an older replica).
    const anchor = readFileSync(`${path}.anchor`);
    await writeLogAt(path, 1, { chainKey: NEXT_CHAIN_KEY, previousChainKeys: [CHAIN_KEY] }, 3);
    writeFileSync(`${path}.anchor`, anchor);
    await expect(sinkAt(path, { chainKey: NEXT_CHAIN_KEY }).open()).rejects.toMatchObject({
      code: 'ERR_AUDIT_ANCHOR',
    });
  });
});

describe('legacy (unkeyed) logs', () => {
  it('fail unless the caller opts in (allowLegacy); then verify as "legacy, unkeyed" with a warning', () => {
    const refused = verifyAuditLogText(legacyLog(3), KEYS);
    expect(refused).toMatchObject({ ok: false, format: 'legacy' });
    expect(refused.errors).toEqual([expect.objectContaining({ kind: 'legacy', line: 1, seq: 1 })]);
    const r = verifyAuditLogText(legacyLog(3), { ...KEYS, allowLegacy: true });
    expect(r).toMatchObject({ ok: true, format: 'legacy' });
    expect(r.warnings.map((w) => w.kind)).toEqual(['legacy-unkeyed', 'no-anchor']);
    expect(r.warnings[0]?.message).toMatch(/^legacy, unkeyed: all 3 record\(s\)/);
    expect(r.records[0]).toMatchObject({ seq: 1, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    // Without keys too: legacy records need none, but the opt-in all the same.
    expect(verifyAuditLogText(legacyLog(3), { allowLegacy: true }).errors).toEqual([]);
    expect(verifyAuditLogText(legacyLog(3)).errors.map((e) => e.kind)).toEqual(['legacy']);
  });

  it('a sink adopts a legacy log only when asked, and its first keyed record seals the legacy part', async () => {
    const path = freshPath();
    writeFileSync(path, legacyLog(3));
    await expect(sinkAt(path).open()).rejects.toMatchObject({ code: 'ERR_AUDIT_ANCHOR' });
    await expect(sinkAt(path, { onMissingAnchor: 'adopt' }).open()).rejects.toMatchObject({
      code: 'ERR_AUDIT_CHAIN',
    });
    const adopting = sinkAt(path, { onMissingAnchor: 'adopt', allowLegacy: true });
    await adopting.append(event(4));
    await adopting.close();
    const mixed = await verifyAnchored(path);
    expect(mixed).toMatchObject({ ok: true, format: 'mixed' });
    expect(mixed.warnings).toEqual([
      expect.objectContaining({
        kind: 'legacy-unkeyed',
        message: expect.stringMatching(/seq 1–3 .* until seq 4 sealed them/),
      }),
    ]);
    // Rewriting a sealed legacy record (recomputing the legacy hashes) breaks the link into seq 4.
    const ls = lines(readFileSync(path, 'utf8'));
    const { seq: _s, hash: _h, prevHash, ...body } = JSON.parse(ls[2]!) as Record<string, unknown>;
    const forged = { ...body, caseRef: 'CASE-X' } as unknown as Parameters<typeof encodeLegacyRecord>[0];
    ls[2] = encodeLegacyRecord(forged, 3, prevHash as string).line;
    writeFileSync(path, `${ls.join('\n')}\n`);
    const r = await verifyAnchored(path);
    expect(r.errors).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'edited', seq: 3 })]));
  });

  it('adoption refuses a log that does not verify', async () => {
    const path = freshPath();
    const ls = lines(legacyLog(3));
    writeFileSync(path, `${[ls[0], ls[2]].join('\n')}\n`);
    const err = await sinkAt(path, { onMissingAnchor: 'adopt', allowLegacy: true })
      .open()
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_AUDIT_CHAIN' });
    expect((err as Error).message).toMatch(/line 2: deleted/);
  });
});

describe('parseAuditChainKeys', () => {
  it('reads ID:SECRET entries separated by newlines or commas, skipping comments', () => {
    const text = `# rotated 2027-01\n${CHAIN_KEY.id}:${CHAIN_KEY.secret}\n\n${NEXT_CHAIN_KEY.id}:${NEXT_CHAIN_KEY.secret}`;
    expect(parseAuditChainKeys(text)).toEqual([CHAIN_KEY, NEXT_CHAIN_KEY]);
    expect(
      parseAuditChainKeys(
        `${CHAIN_KEY.id}:${CHAIN_KEY.secret}, ${NEXT_CHAIN_KEY.id}:${NEXT_CHAIN_KEY.secret}`,
      ),
    ).toHaveLength(2);
    // A secret may itself hold colons.
    expect(parseAuditChainKeys('k:a:b:c:0123456789abcdef0123456789abcdef')[0]?.secret).toBe(
      'a:b:c:0123456789abcdef0123456789abcdef',
    );
  });

  it('refuses bad entries with coded TypeErrors that never show the secret', () => {
    const secret = 'short-secret-value';
    for (const bad of [
      `k:${secret}`,
      secret,
      `bad id:${CHAIN_KEY.secret}`,
      `${CHAIN_KEY.id}:${CHAIN_KEY.secret},${CHAIN_KEY.id}:${CHAIN_KEY.secret}`,
    ]) {
      let err: unknown;
      try {
        parseAuditChainKeys(bad);
      } catch (e) {
        err = e;
      }
      expect(err, bad).toMatchObject({ code: 'ERR_INVALID_ARG' });
      expect((err as Error).message).not.toContain(secret);
      expect((err as Error).message).not.toContain(CHAIN_KEY.secret);
    }
    expect(() => parseAuditChainKeys(42 as never)).toThrow(TypeError);
  });
});

describe('FileAnchorStore', () => {
  it('writes atomically with mode 0600, leaving no temporary file, and reads back what it wrote', async () => {
    const path = await writeLog(2);
    const anchorPath = `${path}.anchor`;
    expect(statSync(anchorPath).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
    const store = new FileAnchorStore({ path: anchorPath });
    const anchor = await store.read();
    expect(anchor).toMatchObject({ v: 3, batch: 256, seq: 2, kid: CHAIN_KEY.id });
    expect(await new FileAnchorStore({ path: join(dir, 'none.anchor') }).read()).toBeUndefined();
  });

  it('a damaged anchor file is ERR_AUDIT_ANCHOR, for the reader and for the sink', async () => {
    const path = await writeLog(1);
    for (const content of [
      'not json',
      '{"v":1}',
      JSON.stringify({ v: 1, seq: 1, hash: 'x', kid: 'k', ts: 't', mac: 'm' }),
      'x'.repeat(10_000),
    ]) {
      writeFileSync(`${path}.anchor`, content);
      await expect(new FileAnchorStore({ path: `${path}.anchor` }).read()).rejects.toMatchObject({
        code: 'ERR_AUDIT_ANCHOR',
      });
      await expect(sinkAt(path).open()).rejects.toMatchObject({ code: 'ERR_AUDIT_ANCHOR' });
    }
    expect(() => new FileAnchorStore({ path: '' })).toThrow(TypeError);
    expect(() => new FileAnchorStore({ path: 'a', fsync: 'maybe' } as never)).toThrow(TypeError);
    expect(() => new FileAnchorStore({ path: 'a', mode: 0o644 } as never)).toThrow(/mode/);
  });

  it('a write that cannot happen is ERR_AUDIT_IO and leaves no temporary file', async () => {
    const blocker = join(dir, `anchor-blocker-${++counter}`);
    writeFileSync(blocker, 'a file, not a directory');
    const store = new FileAnchorStore({ path: join(blocker, 'x.anchor') });
    const anchor = (await anchorOf(await writeLog(1)))!;
    await expect(store.write(anchor)).rejects.toMatchObject({ code: 'ERR_AUDIT_IO' });
  });

  it('a caller-supplied store receives every head and is what the sink checks on open', async () => {
    const written: number[] = [];
    let kept: Awaited<ReturnType<FileAnchorStore['read']>>;
    const store = {
      read: async () => kept,
      write: async (a: NonNullable<typeof kept>) => {
        written.push(a.seq);
        kept = a;
      },
    };
    const path = freshPath();
    const sink = sinkAt(path, { anchor: store });
    await sink.append(event(1));
    await Promise.all([sink.append(event(2)), sink.append(event(3))]);
    await sink.close();
    expect(written[0]).toBe(0);
    expect(written[written.length - 1]).toBe(3);
    expect(existsSync(`${path}.anchor`)).toBe(false);
    const r = verifyAuditLogText(readFileSync(path), { ...KEYS, anchor: kept! });
    expect(r).toMatchObject({ ok: true, warnings: [] });
    writeFileSync(path, lines(readFileSync(path, 'utf8')).slice(0, 2).join('\n') + '\n');
    await expect(sinkAt(path, { anchor: store }).open()).rejects.toMatchObject({ code: 'ERR_AUDIT_ANCHOR' });
  });
});
