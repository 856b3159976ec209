/**
 * Attack class: inputs that are not files. `thgov transcript verify` and `thgov pdf verify` are run on whatever
 * a folder or a command line names: a device that never ends (/dev/zero grew memory without bound), a FIFO (the
 * open blocked forever), or a file far larger than the verifier accepts (read whole before the limit applied).
 * Each must be refused on its own — a clear per-file error, without reading it — while the other files still
 * verify; the same for the files --trust, --crl and --ocsp-response name.
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readInputFile, readInputFileSync } from '../../src/read-input-file.js';
import { thgov } from '../doctor-helpers.js';
import { cli, makeFixtures } from '../helpers.js';

const fx = await makeFixtures(1);
afterAll(() => rmSync(fx.dir, { recursive: true, force: true }));

const posix = process.platform !== 'win32';
const fifo = join(fx.dir, 'pipe.pdf');
if (posix) execFileSync('mkfifo', [fifo]);
/** A sparse file one byte over the 50 MiB the verifier accepts: nothing of it is on disk. */
const huge = join(fx.dir, 'huge.pdf');
closeSync(openSync(huge, 'w'));
truncateSync(huge, 50 * 1024 * 1024 + 1);

/** A safety net for a hang, not a timing assertion: a hung child is killed and its missing report fails the test. */
const KILL_AFTER = 45_000;
const LONG = 120_000;

type Report = { file: string; indication: string; errorCode?: string; error?: string };
const reports = (stdout: string) => JSON.parse(stdout) as Report[];

describe.skipIf(!posix)('special files given to thgov transcript verify / pdf verify', () => {
  it('a file larger than the limit is refused by its size, without being verified', async () => {
    const r = await cli(['transcript', 'verify', '--json', '--trust', fx.root, huge, fx.good[0]!]);
    expect(r.code).toBe(1);
    const [big, good] = reports(r.stdout);
    expect(good).toMatchObject({ file: fx.good[0], indication: 'TOTAL_PASSED' });
    expect(big).toMatchObject({ file: huge, indication: 'INDETERMINATE', errorCode: 'ERR_FILE_READ' });
    expect(big!.error).toMatch(/larger than 52428800 bytes/);
  });

  it(
    'a FIFO is refused as not a regular file, and the command ends (as a process)',
    async () => {
      const r = await thgov(
        ['transcript', 'verify', '--json', '--trust', fx.root, fifo, fx.good[0]!],
        {},
        KILL_AFTER,
      );
      expect(r.code, r.stderr).toBe(1);
      const [pipe, good] = reports(r.stdout);
      expect(pipe).toMatchObject({ file: fifo, indication: 'INDETERMINATE', errorCode: 'ERR_FILE_READ' });
      expect(pipe!.error).toMatch(/not a regular file/);
      expect(good).toMatchObject({ indication: 'TOTAL_PASSED' });
    },
    LONG,
  );

  it(
    '/dev/zero is refused as not a regular file (nothing is read), and the other files verify',
    async () => {
      expect(existsSync('/dev/zero')).toBe(true);
      const r = await thgov(
        ['transcript', 'verify', '--json', '--trust', fx.root, '/dev/zero', fx.good[0]!],
        {},
        KILL_AFTER,
      );
      expect(r.code, r.stderr).toBe(1);
      const [zero, good] = reports(r.stdout);
      expect(zero).toMatchObject({
        file: '/dev/zero',
        indication: 'INDETERMINATE',
        errorCode: 'ERR_FILE_READ',
      });
      expect(zero!.error).toMatch(/not a regular file \(character device\)/);
      expect(good).toMatchObject({ indication: 'TOTAL_PASSED' });
    },
    LONG,
  );

  it(
    'thgov pdf verify refuses them the same way, in the text table',
    async () => {
      const r = await thgov(
        ['pdf', 'verify', '--trust', fx.root, fifo, '/dev/zero', huge, fx.good[0]!],
        {},
        KILL_AFTER,
      );
      expect(r.code, r.stderr).toBe(1);
      expect(r.stdout).toMatch(/pipe\.pdf\s+INDETERMINATE.*not a regular file \(FIFO\)/);
      expect(r.stdout).toMatch(/\/dev\/zero\s+INDETERMINATE.*not a regular file/);
      expect(r.stdout).toMatch(/huge\.pdf\s+INDETERMINATE.*larger than/);
      expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('1 TOTAL_PASSED, 0 TOTAL_FAILED, 3 INDETERMINATE');
    },
    LONG,
  );

  it.each([
    ['--trust', 'trust'],
    ['--crl', 'CRL'],
    ['--ocsp-response', 'OCSP response'],
  ])(
    '%s naming a FIFO or /dev/zero is a usage error, not a hang',
    async (flag, what) => {
      for (const special of [fifo, '/dev/zero']) {
        const args = ['transcript', 'verify', '--trust', fx.root, flag, special, fx.good[0]!];
        const r = await thgov(
          flag === '--trust' ? ['transcript', 'verify', flag, special, fx.good[0]!] : args,
          {},
          KILL_AFTER,
        );
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toContain(`cannot read ${what} file ${special}: not a regular file`);
      }
    },
    LONG,
  );
});

describe.skipIf(!posix)('readInputFile', () => {
  it('reads a regular file whole', async () => {
    const f = join(fx.dir, 'small.bin');
    writeFileSync(f, Buffer.from('hello'));
    expect(Buffer.from(await readInputFile(f, 5)).toString()).toBe('hello');
  });

  it('refuses a file one byte over the limit it is given, and a directory', async () => {
    const f = join(fx.dir, 'six.bin');
    writeFileSync(f, Buffer.from('sixsix'));
    await expect(readInputFile(f, 5)).rejects.toThrow(/larger than 5 bytes/);
    await expect(readInputFile(fx.dir, 5)).rejects.toThrow(/not a regular file \(directory\)/);
    await expect(readInputFile(fifo, 5)).rejects.toThrow(/not a regular file \(FIFO\)/);
  });

  it('a missing file keeps its errno code', async () => {
    await expect(readInputFile(join(fx.dir, 'missing.pdf'), 5)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe.skipIf(!posix)('readInputFile with { streams: true }, and readInputFileSync', () => {
  it(
    'streams: a FIFO a writer feeds is read to its end; /dev/zero is refused one byte past the limit',
    async () => {
      const fed = join(fx.dir, 'fed.fifo');
      execFileSync('mkfifo', [fed]);
      const writer = spawn('sh', ['-c', 'printf "%s" "pin-1234" > "$1"', 'sh', fed], { stdio: 'ignore' });
      const timer = setTimeout(() => writer.kill('SIGKILL'), KILL_AFTER);
      try {
        const bytes = await readInputFile(fed, { maxBytes: 64, streams: true });
        expect(Buffer.from(bytes).toString()).toBe('pin-1234');
      } finally {
        clearTimeout(timer);
        writer.kill('SIGKILL');
      }
      await expect(
        readInputFile('/dev/zero', { maxBytes: 100_000, streams: true, limitName: 'the secret limit' }),
      ).rejects.toMatchObject({
        code: 'ERR_FILE_TOO_LARGE',
        message: 'larger than 100000 bytes, the secret limit',
      });
    },
    LONG,
  );

  it('streams: a directory and a regular file over the limit are still refused', async () => {
    await expect(readInputFile(fx.dir, { maxBytes: 5, streams: true })).rejects.toThrow(
      /not a regular file \(directory\)/,
    );
    await expect(readInputFile(huge, { streams: true })).rejects.toThrow(/larger than 52428800 bytes/);
  });

  it('readInputFileSync: the same checks, without blocking on a FIFO', () => {
    const f = join(fx.dir, 'sync.bin');
    writeFileSync(f, Buffer.from('hello'));
    expect(Buffer.from(readInputFileSync(f, 5)).toString()).toBe('hello');
    expect(() => readInputFileSync(f, 4)).toThrow(/larger than 4 bytes/);
    expect(() => readInputFileSync(fifo)).toThrow(/not a regular file \(FIFO\)/);
    expect(() => readInputFileSync('/dev/zero')).toThrow(/not a regular file \(character device\)/);
    const sub = join(fx.dir, 'sub');
    mkdirSync(sub, { recursive: true });
    expect(() => readInputFileSync(sub, { streams: true })).toThrow(/not a regular file \(directory\)/);
    expect(() => readInputFileSync('/dev/zero', { maxBytes: 10, streams: true })).toThrow(
      /larger than 10 bytes/,
    );
    expect(() => readInputFileSync(join(fx.dir, 'missing.pem'))).toThrow(
      expect.objectContaining({ code: 'ENOENT' }),
    );
  });
});
