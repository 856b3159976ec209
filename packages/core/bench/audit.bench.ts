/**
 * Audit appends per second, fsync on, in one process: `FileAuditSink` (HMAC chain, lock file, anchor written
 * after every batch) vs a bare group-commit writer of the same lines (SHA-256 chain, one write + datasync per
 * batch, no lock, no anchor), in the same run, interleaved rounds, best of each. Two loads: 64 appends in flight
 * (batches form) and one at a time (every append is its own batch: the worst case for the lock and anchor).
 * CPU per append from process.cpuUsage.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileAuditSink } from '../src/index.js';

const ROUNDS = 3;
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

interface Sample {
  perSecond: number;
  cpuMicrosPerAppend: number;
}

async function measure(
  total: number,
  inFlight: number,
  append: (i: number) => Promise<void>,
): Promise<Sample> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  let issued = 0;
  const worker = async () => {
    while (issued < total) await append(issued++);
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { perSecond: total / seconds, cpuMicrosPerAppend: (used.user + used.system) / total };
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

async function round(total: number, inFlight: number): Promise<{ sink: Sample; bare: Sample }> {
  const sink = new FileAuditSink({
    path: join(dir, `sink-${++n}.jsonl`),
    hmacSecret: 'bench-subject-secret-0123456789',
    chainKey: { id: 'bench', secret: 'bench-chain-key-0123456789abcdef0123456789' },
  });
  const s = await measure(total, inFlight, (i) => sink.append(event(i)));
  await sink.close();
  const bare = bareWriter(join(dir, `bare-${n}.jsonl`));
  const b = await measure(total, inFlight, (i) => bare.append(event(i)));
  await bare.close();
  return { sink: s, bare: b };
}

for (const [label, total, inFlight] of [
  ['c64', 4_000, 64],
  ['sequential', 400, 1],
] as const) {
  await round(Math.min(total, 200), inFlight); // warm-up
  const rounds: Array<{ sink: Sample; bare: Sample }> = [];
  for (let i = 0; i < ROUNDS; i++) rounds.push(await round(total, inFlight));
  const best = (pick: (r: { sink: Sample; bare: Sample }) => Sample) =>
    rounds.map(pick).reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
  const sink = best((r) => r.sink);
  const bare = best((r) => r.bare);
  process.stderr.write(
    `  ${label}: sink ${Math.round(sink.perSecond)}/s, bare ${Math.round(bare.perSecond)}/s\n`,
  );
  console.log(
    JSON.stringify({
      bench: `core.audit.file-sink-appends.${label}`,
      unit: 'appends/s',
      value: Math.round(sink.perSecond),
      baseline: 'bare JSONL group-commit writer (SHA-256 chain, datasync per batch, no lock, no anchor)',
      baselineValue: Math.round(bare.perSecond),
      ratio: Number((sink.perSecond / bare.perSecond).toFixed(3)),
      cpuMicrosPerAppend: Math.round(sink.cpuMicrosPerAppend),
      baselineCpuMicrosPerAppend: Math.round(bare.cpuMicrosPerAppend),
    }),
  );
}
rmSync(dir, { recursive: true, force: true });
