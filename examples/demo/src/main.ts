import { parseArgs } from 'node:util';
import { BREAK_POINTS, type BreakPoint } from './context.js';
import { runDemo } from './demo.js';

/**
 * pnpm demo  (or: pnpm --filter @thgov-examples/demo start [-- --break login|gdx|ecms|transcript|audit])
 * Exit 0 when every step passed, 1 when one failed, 2 on bad arguments.
 */
const WATCHDOG_IN_MS = 50_000;

// `pnpm demo -- --break gdx` passes the `--` through: drop it.
const args = process.argv.slice(2);
if (args[0] === '--') args.shift();
const { values } = parseArgs({ args, options: { break: { type: 'string' } } });
const breakAt = values.break;
if (breakAt !== undefined && !(BREAK_POINTS as readonly string[]).includes(breakAt)) {
  process.stderr.write(`usage: demo [--break ${BREAK_POINTS.join('|')}]\n`);
  process.exit(2);
}

// The last line of defence for "bounded": whatever hangs, the demo ends well inside a minute.
setTimeout(() => {
  process.stderr.write(`✗ demo did not finish within ${WATCHDOG_IN_MS / 1000} s\n`);
  process.exit(1);
}, WATCHDOG_IN_MS).unref();

const ok = await runDemo({ breakAt: breakAt as BreakPoint | undefined }).catch((err: unknown) => {
  process.stderr.write(`✗ demo crashed: ${err instanceof Error ? err.message : String(err)}\n`);
  return false;
});
process.exitCode = ok ? 0 : 1;
