import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** True when an executable file named `command` is in one of the folders of `path` (a PATH value). */
export function onPath(command: string, path: string | undefined): boolean {
  for (const dir of (path ?? '').split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, command);
    try {
      accessSync(file, constants.X_OK);
      if (statSync(file).isFile()) return true;
    } catch {
      // Not in this folder; look in the next one.
    }
  }
  return false;
}
