// `stale-lock.ts LOCKPATH DEADPID`: takes the lock once (to learn what this process's locks say), leaves in its
// place the same lock naming DEADPID, then takes it again. Prints `{"boot":…,"broke":true|false}`.
import { readFileSync, writeFileSync } from 'node:fs';
import { withFileLock } from '../../src/audit/lock.js';

const [lockPath, deadPid] = process.argv.slice(2);
if (!lockPath || !deadPid) throw new Error('usage: stale-lock.ts LOCKPATH DEADPID');
let mine = '';
await withFileLock(lockPath, { timeoutInMs: 5_000 }, async () => {
  mine = readFileSync(lockPath, 'utf8');
});
const lock = { ...JSON.parse(mine), pid: Number(deadPid) };
writeFileSync(lockPath, JSON.stringify(lock));
const broke = await withFileLock(lockPath, { timeoutInMs: 2_000 }, async () => true).catch(() => false);
process.stdout.write(`${JSON.stringify({ boot: lock.boot ?? null, broke })}\n`);
