/**
 * Attack class: what the CLI reads and writes on the file system, beyond the cases of output-file-clobbering and
 * special-file-inputs*. `thgov audit verify` read its logs and anchors with a plain readFile (a FIFO blocked it,
 * /dev/zero grew memory); `thgov sandbox` replaced a root.pem (and the other sample files) in --transcripts DIR,
 * or a thgov-sandbox-root.pem beside --config-out, whoever wrote them: a project's real trust anchor became the
 * sandbox's test root; a long but valid output name could not be written because of its temporary file's name.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpuMsOfAsync, createTestCa } from '@thgov/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { csvRecords, csvRowCount } from '../../src/catalog/csv.js';
import { writeOutputFile } from '../../src/index.js';
import { sandboxCommand } from '../../src/sandbox/command.js';
import { tempDir, thgov } from '../doctor-helpers.js';
import { cli } from '../helpers.js';

const posix = process.platform !== 'win32';
const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
/** A safety net for a hang, not a timing assertion: a killed child's code is -1. */
const KILL_AFTER = 30_000;

describe.skipIf(!posix)('audit verify: a log or an anchor that is not a regular file', () => {
  const fifo = join(dir, 'audit.fifo');
  const log = join(dir, 'empty.jsonl');

  it('a FIFO without a writer, /dev/zero or a folder as the log: that log fails (exit 1), nothing hangs', async () => {
    execFileSync('mkfifo', [fifo]);
    for (const [file, kind] of [
      [fifo, 'FIFO'],
      ['/dev/zero', 'character device'],
    ] as const) {
      const r = await thgov(['audit', 'verify', '--allow-legacy', file], {}, KILL_AFTER);
      expect(r.code, `${file}: ${r.stderr}`).toBe(1);
      expect(r.stdout).toContain(`✗ ${file}: ERR_AUDIT_IO`);
      expect(r.stdout).toContain(`not a regular file (${kind})`);
    }
    const d = await thgov(['audit', 'verify', '--json', dir], {}, KILL_AFTER);
    expect(d.code).toBe(1);
    expect(JSON.parse(d.stdout)[0].error).toContain('not a regular file (directory)');
  }, 120_000);

  it('--anchor naming a FIFO, /dev/zero or a folder, and FILE.anchor that is a FIFO: that log fails, no hang', async () => {
    writeFileSync(log, '');
    for (const [anchor, kind] of [
      [fifo, 'FIFO'],
      ['/dev/zero', 'character device'],
      [dir, 'directory'],
    ] as const) {
      const r = await thgov(['audit', 'verify', '--anchor', anchor, log], {}, KILL_AFTER);
      expect(r.code, `${anchor}: ${r.stderr}`).toBe(1);
      expect(r.stdout).toContain('ERR_AUDIT_IO');
      expect(r.stdout).toContain(`not a regular file (${kind})`);
    }
    const beside = join(dir, 'beside.jsonl');
    writeFileSync(beside, '');
    execFileSync('mkfifo', [`${beside}.anchor`]);
    const r = await thgov(['audit', 'verify', beside], {}, KILL_AFTER);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain('not a regular file (FIFO)');
  }, 120_000);
});

/** A real project's trust anchor: anything but the sandbox's test root. */
async function foreignRootPem(): Promise<string> {
  return (await createTestCa({ commonName: 'Real Registrar Root' })).cert;
}

describe.skipIf(!posix)('thgov sandbox: files it did not write are not replaced', () => {
  it('a real root.pem (or CRL, or PDF) in --transcripts DIR stays: usage error (exit 2), before anything runs', async () => {
    const samples = join(dir, 'project-certs');
    mkdirSync(samples);
    const real = await foreignRootPem();
    writeFileSync(join(samples, 'root.pem'), real);
    const r = await thgov(
      ['sandbox', '--config-out', join(dir, 'sb1', 'thgov.config.json'), '--transcripts', samples],
      {},
      KILL_AFTER,
    );
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('ERR_INVALID_ARG');
    expect(r.stderr).toContain(`${join(samples, 'root.pem')} exists and was not written by thgov sandbox`);
    expect(readFileSync(join(samples, 'root.pem'), 'utf8')).toBe(real);
    expect(readdirSync(samples)).toEqual(['root.pem']);
    rmSync(join(samples, 'root.pem'));
    writeFileSync(join(samples, 'root.crl'), 'not the sandbox CRL');
    const c = await thgov(
      ['sandbox', '--config-out', join(dir, 'sb1', 'thgov.config.json'), '--transcripts', samples],
      {},
      KILL_AFTER,
    );
    expect(c.code, c.stderr).toBe(2);
    expect(c.stderr).toContain('root.crl exists and was not written by thgov sandbox');
    expect(readFileSync(join(samples, 'root.crl'), 'utf8')).toBe('not the sandbox CRL');
  }, 120_000);

  it('a thgov-sandbox-root.pem beside --config-out that is another certificate stays (exit 2)', async () => {
    const out = join(dir, 'sb2');
    mkdirSync(out);
    const real = await foreignRootPem();
    writeFileSync(join(out, 'thgov-sandbox-root.pem'), real);
    const r = await thgov(['sandbox', '--config-out', join(out, 'thgov.config.json')], {}, KILL_AFTER);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('thgov-sandbox-root.pem exists and was not written by thgov sandbox');
    expect(readFileSync(join(out, 'thgov-sandbox-root.pem'), 'utf8')).toBe(real);
  }, 60_000);

  it('a second run replaces the files the first one wrote in --transcripts DIR (in-process)', async () => {
    const samples = join(dir, 'samples-twice');
    const configOut = join(dir, 'sb3', 'thgov.config.json');
    for (let run = 0; run < 2; run++) {
      let out = '';
      let err = '';
      const io = {
        stdout: {
          write: (c: string) => {
            out += c;
            return true;
          },
        },
        stderr: {
          write: (c: string) => {
            err += c;
            return true;
          },
        },
      };
      const ctl = new AbortController();
      const done = sandboxCommand(['--config-out', configOut, '--transcripts', samples], io, {
        signal: ctl.signal,
      });
      const started = Date.now();
      while (!out.includes('Press Ctrl-C') && Date.now() - started < 60_000) {
        await Promise.race([done, new Promise((r) => setTimeout(r, 50))]);
      }
      ctl.abort();
      expect(await done, err).toBe(0);
      expect(out).toContain('Press Ctrl-C');
    }
    expect(readdirSync(samples).sort()).toEqual([
      'issuing-ca.crl',
      'root.crl',
      'root.pem',
      'transcript-good.pdf',
      'transcript-revoked.pdf',
      'transcript-tampered.pdf',
    ]);
  }, 150_000);
});

describe('writeOutputFile: names', () => {
  it('a long but valid file name (250 bytes) is written: the temporary file name stays within NAME_MAX', async () => {
    const file = join(dir, `${'r'.repeat(246)}.xml`);
    await writeOutputFile(file, '<testsuites/>');
    expect(readFileSync(file, 'utf8')).toBe('<testsuites/>');
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});

describe('catalog publish --datastore: a resource that is no CSV', () => {
  it('a 3 MB file without a line break: a usage error about its first row, quickly, without echoing it', async () => {
    const meta = join(dir, 'dataset.json');
    writeFileSync(meta, JSON.stringify({ name: 'no-csv' }));
    const blob = join(dir, 'archive.bin');
    writeFileSync(blob, 'x'.repeat(3 * 1024 * 1024));
    let r!: Awaited<ReturnType<typeof cli>>;
    const cpuMs = await cpuMsOfAsync(async () => {
      r = await cli(['catalog', 'publish', meta, '--resource', blob, '--datastore']);
    });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('ERR_INVALID_ARG');
    expect(r.stderr).toContain(`${blob}: the header row is longer than`);
    expect(r.stderr.length).toBeLessThan(2000);
    // CPU, not wall time (a loaded machine stretches that); a row scan gone quadratic on 3 MB costs hours.
    expect(cpuMs).toBeLessThan(10_000);
  });

  it('a data row past the row limit (an unclosed quote) is a usage error naming its row, not a crash', async () => {
    const csv = join(dir, 'unclosed.csv');
    writeFileSync(csv, `id,name\n1,"unclosed${'y'.repeat(5000)}\n2,b\n`);
    await expect(csvRowCount(csv, { maxRowChars: 4096 })).rejects.toThrow(
      `${csv}: row 2 is longer than 4096 characters`,
    );
    const rows: unknown[] = [];
    await expect(
      (async () => {
        for await (const r of csvRecords(csv, new Map(), { maxRowChars: 4096 })) rows.push(r);
      })(),
    ).rejects.toThrow(/row 2 is longer than 4096 characters \(an unclosed quote\?\)/);
    expect(rows).toEqual([]);
  });
});
