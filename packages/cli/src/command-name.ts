import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const NPX = 'npx -p @thgov/cli thgov';

/**
 * How to spell `thgov` in a hint the user can paste. When `thgov` is not on the PATH (run through npx, or as
 * `node …/bin.js`), the hint says `npx -p @thgov/cli thgov`: a bare `npx thgov` would fetch and run whatever
 * unscoped package is called `thgov`.
 */
export function thgovCommand(env: NodeJS.ProcessEnv = process.env): string {
  // Under npx the PATH holds npx's own temporary bin folder, which the user's shell will not have.
  if (env.npm_command === 'exec' || env.npm_lifecycle_event === 'npx') return NPX;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const name of process.platform === 'win32' ? ['thgov.cmd', 'thgov.exe'] : ['thgov']) {
      try {
        accessSync(join(dir, name), constants.X_OK);
        return 'thgov';
      } catch {
        // not in this folder
      }
    }
  }
  return NPX;
}
