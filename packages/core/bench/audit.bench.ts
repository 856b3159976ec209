/**
 * Audit appends per second, fsync on, in one process: `FileAuditSink` (HMAC chain, lock file, anchor written
 * after every batch) vs a bare group-commit writer of the same lines (SHA-256 chain, one write + datasync per
 * batch, no lock, no anchor), in the same run, interleaved rounds, medians and spread. Two loads: 64 appends in
 * flight (batches form) and one at a time (every append is its own batch: the worst case for the lock and
 * anchor). CPU per append from process.cpuUsage.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileAuditSink } from '@thgov/core';
import { compareRounds, emitBenchLine, sized } from '@thgov/testkit/bench';

const ROUNDS = sized(5, 2);
const dir = mkdtempSync(join(tmpdir(), 'thgov-audit-bench-'));
let n = 0;
const event = (i: number) => ({
  who: 'welfare-portal',
  service: 'gdx',
  operation: 'dopa.linkage.001',
  subject: `subject-${i}`,
  purpose: 'welfare eligibility check',
  caseRef: `WF-2569-${i}`,
  requestId: crypto.randomUUID(),
  status: 'ok' as const,
  latencyInMs: 12,
});

/** `total` appends, `inFlight` at a time. */
async function appendAll(
  total: number,
  inFlight: number,
  append: (i: number) => Promise<void>,
): Promise<void> {
  let issued = 0;
  const worker = async () => {
    while (issued < total) await append(issued++);
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
}

/** The same lines through one write + datasync per batch: what any durable JSONL writer pays. */
function bareWriter(path: string) {
  let prev = '0'.repeat(64);
  let seq = 0;
  let queue: Array<{ body: object; done: () => void }> = [];
  let running: Promise<void> | undefined;
  const handle = open(path, 'a', 0o600);
  const drain = async () => {
    const h = await handle;
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      let text = '';
      for (const p of batch) {
        const unsigned = JSON.stringify({
          seq: ++seq,
          ts: new Date().toISOString(),
          ...p.body,
          prevHash: prev,
        });
        const line = `${unsigned.slice(0, -1)},"hash":"${createHash('sha256').update(unsigned).digest('hex')}"}`;
        prev = createHash('sha256').update(line).digest('hex');
        text += `${line}\n`;
      }
      await h.write(text);
      await h.datasync();
      for (const p of batch) p.done();
    }
  };
  const kick = (): void => {
    if (running) return;
    running = drain().finally(() => {
      running = undefined;
      // Appends queued after the loop's last look start the next round.
      if (queue.length > 0) kick();
    });
  };
  return {
    append: (body: object) =>
      new Promise<void>((resolve) => {
        queue.push({ body, done: resolve });
        kick();
      }),
    close: async () => (await handle).close(),
  };
}

for (const [label, total, inFlight] of [
  ['c64', sized(4_000, 300), 64],
  ['sequential', sized(400, 40), 1],
] as const) {
  const sinkRound = () => {
    const sink = new FileAuditSink({
      path: join(dir, `sink-${++n}.jsonl`),
      hmacSecret: 'bench-subject-secret-0123456789',
      chainKey: { id: 'bench', secret: 'bench-chain-key-0123456789abcdef0123456789' },
    });
    return {
      run: () => appendAll(total, inFlight, (i) => sink.append(event(i))),
      cleanup: () => sink.close(),
    };
  };
  const bareRound = () => {
    const bare = bareWriter(join(dir, `bare-${++n}.jsonl`));
    return {
      run: () => appendAll(total, inFlight, (i) => bare.append(event(i))),
      cleanup: () => bare.close(),
    };
  };
  emitBenchLine(
    await compareRounds({
      bench: `core.audit.file-sink-appends.${label}`,
      kind: 'throughput',
      unit: 'appends/s',
      baseline: 'bare JSONL group-commit writer (SHA-256 chain, datasync per batch, no lock, no anchor)',
      opsPerRound: total,
      rounds: ROUNDS,
      thgov: { prepare: sinkRound },
      baselineSide: { prepare: bareRound },
    }),
  );
}
rmSync(dir, { recursive: true, force: true });
