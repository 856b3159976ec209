import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRandom, type EcmsNetwork, startEcmsNetwork } from '@thgov/sandbox';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EcmsClient } from '../src/index.js';
import { sampleLetter } from './helpers/letters.js';

const LETTERS = 200;
const KILLS = 22;
const CHILD = fileURLToPath(new URL('./helpers/inbox-child.ts', import.meta.url));

let net: EcmsNetwork;
let dir: string;
beforeAll(async () => {
  net = await startEcmsNetwork({ seed: 2026 });
  dir = mkdtempSync(join(tmpdir(), 'thgov-ecms-crash-'));
});
afterAll(async () => {
  await net.close();
  rmSync(dir, { recursive: true, force: true });
});

function startChild(db: string): Promise<ChildProcess> {
  const node = net.nodes[1]!;
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, node.url, node.organizationId, db], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, THGOV_LOG_LEVEL: 'silent' },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready')) resolve(child);
    });
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.once('exit', (code) => reject(new Error(`child exited early (${code}): ${err.slice(0, 500)}`)));
  });
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

function unfinished(db: string, sent: number): boolean {
  if (net.queue(net.nodes[1]!.organizationId).pending.length > 0) return true;
  const reader = new Database(db, { readonly: true, fileMustExist: true });
  try {
    const n = reader
      .prepare("SELECT COUNT(*) AS n FROM ecms_letters WHERE direction = 'inbound' AND state = 'registered'")
      .get() as { n: number };
    return n.n < sent;
  } finally {
    reader.close();
  }
}

describe('crash safety of the inbox worker', () => {
  it(`stores ${LETTERS} letters exactly once through ${KILLS} SIGKILLs, all acknowledged, no registration number reused`, async () => {
    const db = join(dir, 'inbox.db');
    const random = createRandom(42);
    const sender = new EcmsClient({
      nodeUrl: net.nodes[0]!.url,
      organizationId: net.nodes[0]!.organizationId,
    });
    const ids = Array.from({ length: LETTERS }, (_, i) => `สพร 0105/${i + 1}`);
    let sent = 0;
    let kills = 0;
    // Kills that hit while work was in progress (letters still queued or not yet registered).
    let interrupted = 0;
    const perRound = Math.ceil(LETTERS / KILLS);
    for (let round = 0; round < KILLS; round++) {
      // Letters keep arriving while the worker runs and dies.
      const batch = ids.slice(sent, sent + perRound);
      const sending = Promise.all(batch.map((id) => sender.sendLetter(sampleLetter({ id }))));
      const child = await startChild(db);
      await sending;
      sent += batch.length;
      await new Promise((r) => setTimeout(r, random.int(5, 250)));
      await killed(child);
      kills++;
      if (unfinished(db, sent)) interrupted++;
    }
    expect(sent).toBe(LETTERS);
    expect(kills).toBeGreaterThanOrEqual(20);
    expect(interrupted).toBeGreaterThanOrEqual(10);

    // Final restart: run until the queue is drained and every letter is registered, then stop gracefully.
    const final = await startChild(db);
    const reader = new Database(db, { readonly: true, fileMustExist: true });
    const registered = () =>
      (
        reader
          .prepare(
            "SELECT COUNT(*) AS n FROM ecms_letters WHERE direction = 'inbound' AND state = 'registered'",
          )
          .get() as { n: number }
      ).n;
    for (
      let i = 0;
      i < 600 && (registered() < LETTERS || net.queue(net.nodes[1]!.organizationId).pending.length > 0);
      i++
    ) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise<void>((resolve) => {
      final.removeAllListeners('exit');
      final.once('exit', () => resolve());
      final.kill('SIGTERM');
    });

    const rows = reader
      .prepare(
        "SELECT letter_id, state, registration_number, accept_id FROM ecms_letters WHERE direction = 'inbound'",
      )
      .all() as { letter_id: string; state: string; registration_number: number; accept_id: string }[];
    reader.close();
    // Stored exactly once.
    expect(rows).toHaveLength(LETTERS);
    expect(new Set(rows.map((r) => r.letter_id)).size).toBe(LETTERS);
    expect(new Set(rows.map((r) => r.letter_id))).toEqual(new Set(ids));
    // All registered, numbers unique and dense (1..200: a number is never skipped or given twice).
    expect(rows.filter((r) => r.state === 'registered')).toHaveLength(LETTERS);
    const numbers = rows.map((r) => r.registration_number).sort((x, y) => x - y);
    expect(new Set(numbers).size).toBe(LETTERS);
    expect(numbers[0]).toBe(1);
    expect(numbers.at(-1)).toBe(LETTERS);
    // Every letter acknowledged at the sender's node, and every AcceptID the sender saw is the stored one.
    const senderQueue = net.queue(net.nodes[0]!.organizationId).all;
    const receipts = new Set(senderQueue.filter((i) => i.kind === 'receive').map((i) => i.letterId));
    expect(receipts.size).toBe(LETTERS);
    const acceptIdsByLetter = new Map<string, Set<string>>();
    for (const i of senderQueue.filter((x) => x.kind === 'accept')) {
      const s = acceptIdsByLetter.get(i.letterId) ?? new Set<string>();
      s.add(i.acceptId ?? '');
      acceptIdsByLetter.set(i.letterId, s);
    }
    expect(acceptIdsByLetter.size).toBe(LETTERS);
    const stored = new Map(rows.map((r) => [r.letter_id, r.accept_id]));
    for (const [letterId, accepts] of acceptIdsByLetter) expect([...accepts]).toEqual([stored.get(letterId)]);
    // Nothing left in the receiver's queue.
    expect(net.queue(net.nodes[1]!.organizationId).pending).toHaveLength(0);
    await sender.close();
    // A hang guard, not a speed check: 23 worker processes start through tsx, which takes seconds each on a busy
    // 2-core machine.
  }, 600_000);
});
