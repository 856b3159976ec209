// A separate process appending to one audit log: `audit-writer.ts PATH COUNT [PARALLEL]`.
// COUNT 0 appends until killed (the crash tests); PARALLEL appends are in flight at a time.
import { auditEvent, sinkAt } from './audit.js';

const [path, countText, parallelText] = process.argv.slice(2);
if (!path || countText === undefined) throw new Error('usage: audit-writer.ts PATH COUNT [PARALLEL]');
const count = Number(countText);
const parallel = Number(parallelText ?? '1');
const sink = sinkAt(path, { lockTimeoutInMs: 60_000 });
let written = 0;
for (let i = 0; count === 0 || i < count; i += parallel) {
  const n = count === 0 ? parallel : Math.min(parallel, count - i);
  await Promise.all(
    Array.from({ length: n }, (_, k) => sink.append(auditEvent(i + k, { client: `writer-${process.pid}` }))),
  );
  written += n;
  if (count === 0 && written % 10 === 0) process.stdout.write(`${written}\n`);
}
await sink.close();
process.stdout.write(`done ${written}\n`);
