// An audit log or anchor path that names a FIFO, a device or a folder (a mistyped path, a path planted in a
// shared workspace): reading it must fail at once with ERR_AUDIT_IO, not block on a FIFO without a writer or
// read /dev/zero until memory runs out. Each call runs against a deadline: a hang fails the test, it does not
// stall the suite.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileAnchorStore, verifyAuditLog } from '../../src/index.js';

const posix = process.platform !== 'win32';
const dir = mkdtempSync(join(tmpdir(), 'thgov-audit-special-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What `work` threw, or 'HUNG' when it neither resolved nor threw within 3 s. */
async function outcome(work: () => Promise<unknown>): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise((resolve) => {
    timer = setTimeout(() => resolve('HUNG'), 3_000);
  });
  try {
    return await Promise.race([
      work().then(
        () => 'RESOLVED',
        (err: unknown) => err,
      ),
      hung,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function specialFiles(): Array<[string, string]> {
  const fifo = join(dir, `fifo-${Math.random().toString(36).slice(2)}`);
  execFileSync('mkfifo', [fifo]);
  const folder = join(dir, `folder-${Math.random().toString(36).slice(2)}`);
  mkdirSync(folder);
  return [
    ['a FIFO without a writer', fifo],
    ['/dev/zero', '/dev/zero'],
    ['a folder', folder],
  ];
}

describe.runIf(posix)('audit files that are not regular files', () => {
  it('verifyAuditLog refuses each with ERR_AUDIT_IO at once', async () => {
    for (const [what, path] of specialFiles()) {
      const result = await outcome(() => verifyAuditLog({ path }));
      expect(result, what).toMatchObject({ code: 'ERR_AUDIT_IO' });
    }
  });

  it('FileAnchorStore.read refuses each with ERR_AUDIT_IO at once', async () => {
    for (const [what, path] of specialFiles()) {
      const result = await outcome(() => new FileAnchorStore({ path }).read());
      expect(result, what).toMatchObject({ code: 'ERR_AUDIT_IO' });
    }
  });

  it('an anchor file past the anchor size is refused before it is read whole', async () => {
    const big = join(dir, 'big.anchor');
    writeFileSync(big, Buffer.alloc(8 * 1024 * 1024, 0x20));
    await expect(new FileAnchorStore({ path: big }).read()).rejects.toMatchObject({
      code: 'ERR_AUDIT_ANCHOR',
    });
  });
});
