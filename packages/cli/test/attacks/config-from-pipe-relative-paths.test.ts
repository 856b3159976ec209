// `thgov doctor --config /dev/stdin` and `--config <(sops -d thgov.config.json)` (the path is /dev/fd/63): the
// configuration has no folder of its own, so its relative paths ("root.pem", "certs/ca.pem") name files in the
// working directory — not /dev/root.pem or /dev/fd/root.pem, which made every such check fail.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { collectRun } from '../doctor-helpers.js';
import { makeFixtures } from '../helpers.js';

const posix = process.platform !== 'win32';
const fx = await makeFixtures(1);
afterAll(() => rmSync(fx.dir, { recursive: true, force: true }));

const BIN = join(import.meta.dirname, '..', '..', 'src', 'bin.ts');
// Resolved here: the child runs in another folder, where `--import tsx` would not find the package.
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** `printf … | thgov …` in `cwd`: a shell pipe, as in CI (Node's own `stdio: 'pipe'` is a socket, not a pipe). */
function thgovWithStdin(args: string[], cwd: string, input: string) {
  const script = 'printf "%s" "$CONFIG" | "$NODE" --import "$TSX" "$BIN" "$@"';
  const child = spawn('sh', ['-c', script, 'sh', ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CONFIG: input, NODE: process.execPath, TSX, BIN },
  });
  return collectRun(child);
}

describe.skipIf(!posix)(
  'a configuration read from a pipe: relative paths resolve against the working directory',
  () => {
    const config = JSON.stringify({ transcript: { trustAnchors: ['root.pem'] } });

    it.each(['/dev/stdin', '/dev/fd/0'])(
      'doctor --config %s finds root.pem in the working directory',
      async (path) => {
        const r = await thgovWithStdin(
          ['doctor', '--config', path, '--json', '--only', 'transcript'],
          fx.dir,
          config,
        );
        const checks = (JSON.parse(r.stdout) as { checks: { id: string; status: string; message: string }[] })
          .checks;
        const anchor = checks.find((c) => c.id === 'transcript.trustAnchor.0');
        expect(anchor?.message).not.toMatch(/\/dev\//);
        expect(anchor?.status, anchor?.message).toBe('pass');
        expect(r.code, r.stderr).toBe(0);
      },
    );
  },
);
