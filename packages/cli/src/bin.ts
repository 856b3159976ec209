#!/usr/bin/env node
// Nothing else is imported before the compile cache is on: only modules loaded after it use it.
import { enableCompileCache } from './compile-cache.js';

enableCompileCache();
const { run } = await import('./run.js');
const { closablePipe } = await import('./closed-pipe.js');

process.exitCode = await run(process.argv.slice(2), {
  stdout: closablePipe(process.stdout),
  stderr: closablePipe(process.stderr),
  // Touched only when a command reads (an OTP): process.stdin is not opened otherwise.
  stdin: { [Symbol.asyncIterator]: () => process.stdin[Symbol.asyncIterator]() },
});
