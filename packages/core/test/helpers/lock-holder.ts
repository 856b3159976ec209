// Holds an audit lock file until its stdin closes: `lock-holder.ts LOCKPATH`. Prints `locked` once it holds it.
// Run inside another PID namespace (unshare) to play a container that shares the host name and the volume.
import { withFileLock } from '../../src/audit/lock.js';

const [lockPath] = process.argv.slice(2);
if (!lockPath) throw new Error('usage: lock-holder.ts LOCKPATH');
await withFileLock(lockPath, { timeoutInMs: 10_000 }, async () => {
  process.stdout.write('locked\n');
  process.stdin.resume();
  await new Promise((resolve) => process.stdin.on('end', resolve));
});
process.stdout.write('released\n');
