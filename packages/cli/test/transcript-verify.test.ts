import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireTool } from '@thgov/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../src/index.js';
import { thgov } from './doctor-helpers.js';
import { cli, makeFixtures } from './helpers.js';

const fx = await makeFixtures(3);
afterAll(() => rmSync(fx.dir, { recursive: true, force: true }));

const SUMMARY = /^(\d+) TOTAL_PASSED, (\d+) TOTAL_FAILED, (\d+) INDETERMINATE$/m;

const xmllint = requireTool('xmllint', { why: 'a second opinion that the JUnit report is well-formed XML' });

describe('thgov transcript verify (as a process)', () => {
  it('prints a table, the closing summary line, and exits 0 when every file passes', async () => {
    const r = await thgov(['transcript', 'verify', '--trust', fx.root, ...fx.good]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^FILE\s+INDICATION\s+SUB-INDICATION\s+SIGNER\s+SIGNED AT/);
    expect(r.stdout).toContain('CLI Registrar');
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('3 TOTAL_PASSED, 0 TOTAL_FAILED, 0 INDETERMINATE');
    // stderr is a pipe here, not a TTY: no progress bar. Commands load lazily, so nothing else writes there
    // either (the digital-ID provider's runtime warning only appears for `thgov sandbox`).
    expect(r.stderr).toBe('');
  });

  it('--json prints one array of reports (no summary line) and exits 1 when any file fails', async () => {
    const missing = join(fx.dir, 'missing.pdf');
    const r = await thgov([
      'transcript',
      'verify',
      '--json',
      '--trust',
      fx.root,
      fx.good[0]!,
      fx.tampered,
      missing,
    ]);
    expect(r.code).toBe(1);
    const reports = JSON.parse(r.stdout) as {
      file: string;
      indication: string;
      subIndication?: string;
      errorCode?: string;
    }[];
    expect(reports.map((x) => [x.file, x.indication])).toEqual([
      [fx.good[0], 'TOTAL_PASSED'],
      [fx.tampered, 'TOTAL_FAILED'],
      [missing, 'INDETERMINATE'],
    ]);
    expect(reports[1]!.subIndication).toBe('HASH_FAILURE');
    expect(reports[2]!.errorCode).toBe('ERR_FILE_READ');
  });

  it('--policy pdf accepts a signature without revocation data that the strict policy cannot conclude on', async () => {
    const strict = await thgov(['transcript', 'verify', '--trust', fx.root, fx.noRevocation]);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('TRY_LATER');
    const generic = await thgov([
      'transcript',
      'verify',
      '--policy',
      'pdf',
      '--trust',
      fx.root,
      fx.noRevocation,
    ]);
    expect(generic.code).toBe(0);
  });

  it('--crl: a good file without embedded revocation data passes under the strict policy', async () => {
    const r = await thgov([
      'transcript',
      'verify',
      '--json',
      '--trust',
      fx.root,
      '--crl',
      fx.crl,
      fx.noRevocation,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const [report] = JSON.parse(r.stdout) as {
      indication: string;
      signatures: { revocation: { source: string }[] }[];
    }[];
    expect(report!.indication).toBe('TOTAL_PASSED');
    expect(report!.signatures[0]!.revocation[0]!.source).toBe('supplied');
  });

  it('--crl: a revoked signer is REVOKED (time-stamped after the revocation), and exits 1', async () => {
    const r = await thgov([
      'transcript',
      'verify',
      '--trust',
      fx.root,
      '--crl',
      fx.revokingCrl,
      fx.revokedNoRevocation,
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/TOTAL_FAILED\s+REVOKED\s/);
    expect(r.stdout).toContain('was revoked at');
  });

  it('--ocsp-response (repeatable with --crl) supplies OCSP answers', async () => {
    const r = await thgov([
      'transcript',
      'verify',
      '--trust',
      fx.root,
      '--ocsp-response',
      fx.ocsp,
      fx.noRevocation,
    ]);
    expect(r.code, r.stdout).toBe(0);
    const both = await thgov([
      'transcript',
      'verify',
      '--trust',
      fx.root,
      '--crl',
      fx.crl,
      '--crl',
      fx.revokingCrl,
      fx.noRevocation,
      fx.revokedNoRevocation,
    ]);
    expect(both.code).toBe(1);
    expect(both.stdout).toContain('1 TOTAL_PASSED, 1 TOTAL_FAILED, 0 INDETERMINATE');
  });

  it('without --trust every file stays INDETERMINATE and stderr says why nothing can pass', async () => {
    const r = await thgov(['transcript', 'verify', '--json', fx.good[0]!]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)[0].indication).toBe('INDETERMINATE');
    expect(r.stderr).toContain('no --trust given');
    expect(r.stderr).toContain('no file can be TOTAL_PASSED');
    const text = await thgov(['transcript', 'verify', fx.good[0]!]);
    expect(text.stdout).toMatch(/^0 TOTAL_PASSED, 0 TOTAL_FAILED, 1 INDETERMINATE$/m);
    expect(text.stderr).toContain('--trust');
  });

  it.each([
    [[], 'Usage: thgov'],
    [['transcript'], 'missing command: verify'],
    [['transcript', 'verfy'], "did you mean 'transcript verify'?"],
    [['transcript', 'verify'], 'no FILE or FOLDER given'],
    [['transcript', 'verify', '--policy', 'loose', 'x.pdf'], '--policy must be'],
    [['transcript', 'verify', '--bogus', 'x.pdf'], "unknown option '--bogus'"],
    [['transcript', 'verify', '--trsut', 'r.pem', 'x.pdf'], 'did you mean --trust?'],
    [['transcript', 'verify', '--trust', '/nonexistent/root.pem', 'x.pdf'], 'cannot read trust file'],
    [['transcript', 'verify', '--crl', '/nonexistent/ca.crl', 'x.pdf'], 'cannot read CRL file'],
    [['transcript', 'verify', '--crl', fx.root, 'x.pdf'], 'is not a CRL'],
    [['transcript', 'verify', '--ocsp-response', fx.crl, 'x.pdf'], 'is not a DER OCSP response'],
    [['nope', 'verify'], "unknown command 'nope verify'"],
  ])('usage error %j exits 2 with ERR_INVALID_ARG', async (args, message) => {
    const r = await thgov(args);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(message);
    if (args.length > 0) expect(r.stderr).toContain('ERR_INVALID_ARG');
    expect(r.stdout).toBe('');
  });

  it('a --trust or --tsa-trust file that is not a certificate is a usage error, before any file is verified (in-process)', async () => {
    const junk = join(fx.dir, 'junk.pem');
    writeFileSync(junk, 'this is not a certificate\n');
    const key = join(fx.dir, 'key.pem');
    writeFileSync(key, '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n');
    const badPem = join(fx.dir, 'bad-cert.pem');
    writeFileSync(badPem, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    for (const [flag, file] of [
      ['--trust', junk],
      ['--trust', key],
      ['--trust', badPem],
      ['--trust', fx.good[0]!],
      ['--tsa-trust', junk],
    ] as const) {
      const args = ['transcript', 'verify', '--trust', fx.root, flag, file, fx.good[0]!];
      const r = await cli(flag === '--trust' ? ['transcript', 'verify', flag, file, fx.good[0]!] : args);
      expect(r.code, `${flag} ${file}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(`ERR_INVALID_ARG: ${flag} ${file} is not a certificate`);
      // The transcript is not blamed for the command line: nothing was verified, nothing reported.
      expect(r.stdout).toBe('');
      expect(r.stderr).not.toContain('FORMAT_FAILURE');
    }
    // And as a process: the exit status a CI job sees.
    const p = await thgov(['transcript', 'verify', '--trust', junk, fx.good[0]!]);
    expect(p.code).toBe(2);
    expect(p.stdout).toBe('');
  });

  it('--help exits 0 with the options', async () => {
    const r = await thgov(['transcript', 'verify', '--help']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('--tsa-trust FILE');
    expect(r.stdout).toContain('--junit FILE');
  });
});

describe('thgov transcript verify with folders', () => {
  const tree = join(fx.dir, 'tree');
  mkdirSync(join(tree, 'b-sub', 'deeper'), { recursive: true });
  mkdirSync(join(tree, 'empty'));
  copyFileSync(fx.good[0]!, join(tree, 'z-last.pdf'));
  copyFileSync(fx.good[1]!, join(tree, 'A-upper.PDF'));
  copyFileSync(fx.tampered, join(tree, 'b-sub', 'tampered.pdf'));
  copyFileSync(fx.good[2]!, join(tree, 'b-sub', 'deeper', 'good.pdf'));
  writeFileSync(join(tree, 'b-sub', 'notes.txt'), 'not a transcript');
  // A link back up the tree: followed, it would never end.
  symlinkSync(tree, join(tree, 'b-sub', 'loop'));

  it('expands folders recursively to every *.pdf, in code-unit order, without following linked folders', async () => {
    const r = await thgov(['transcript', 'verify', '--json', '--trust', fx.root, tree, fx.good[0]!]);
    expect(r.code, r.stderr).toBe(1);
    const reports = JSON.parse(r.stdout) as { file: string; indication: string }[];
    expect(reports.map((x) => x.file)).toEqual([
      join(tree, 'A-upper.PDF'),
      join(tree, 'b-sub', 'deeper', 'good.pdf'),
      join(tree, 'b-sub', 'tampered.pdf'),
      join(tree, 'z-last.pdf'),
      fx.good[0],
    ]);
    expect(reports.map((x) => x.indication)).toEqual([
      'TOTAL_PASSED',
      'TOTAL_PASSED',
      'TOTAL_FAILED',
      'TOTAL_PASSED',
      'TOTAL_PASSED',
    ]);
    const text = await thgov(['transcript', 'verify', '--trust', fx.root, tree]);
    expect(SUMMARY.exec(text.stdout)?.slice(1)).toEqual(['3', '1', '0']);
  });

  it('a folder without PDFs is named on stderr; nothing at all to verify is a usage error', async () => {
    const r = await thgov(['transcript', 'verify', '--trust', fx.root, join(tree, 'empty')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`no *.pdf under ${join(tree, 'empty')}`);
    expect(r.stderr).toContain('ERR_INVALID_ARG: no PDF file to verify');
  });

  it('--junit FILE: one test case per file, a failure for TOTAL_FAILED and an error for INDETERMINATE', async () => {
    const junit = join(fx.dir, 'verify.xml');
    const missing = join(fx.dir, 'gone.pdf');
    const r = await thgov(['transcript', 'verify', '--trust', fx.root, '--junit', junit, tree, missing]);
    expect(r.code).toBe(1);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(
      /<testsuites name="thgov transcript verify" tests="5" failures="1" errors="1" skipped="0" time="[\d.]+"/,
    );
    expect(xml.match(/<testcase /g)).toHaveLength(5);
    expect(xml).toMatch(/<failure message="TOTAL_FAILED\/HASH_FAILURE: [^"]*" type="HASH_FAILURE">/);
    expect(xml).toMatch(/<error message="INDETERMINATE: cannot read file \(ENOENT\)" type="ERR_FILE_READ">/);
    expect(xml).toContain(`name="${join(tree, 'z-last.pdf')}"`);
  });

  it('--junit into folders that do not exist yet (reports/ci/verify.xml in a fresh CI job): they are made', async () => {
    const junit = join(fx.dir, 'reports', 'ci', 'verify.xml');
    const r = await thgov(['transcript', 'verify', '--trust', fx.root, '--junit', junit, tree]);
    expect(r.stderr).not.toContain('ERR_CLI_FILE_WRITE');
    expect(readFileSync(junit, 'utf8')).toMatch(/<testsuites name="thgov transcript verify" tests="4"/);
  });

  it('--junit under a path whose folder is a file: refused with ERR_CLI_FILE_WRITE, nothing written', async () => {
    const blocker = join(fx.dir, 'not-a-folder');
    writeFileSync(blocker, 'x');
    const r = await thgov([
      'transcript',
      'verify',
      '--trust',
      fx.root,
      '--junit',
      join(blocker, 'v.xml'),
      tree,
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('ERR_CLI_FILE_WRITE');
    expect(readFileSync(blocker, 'utf8')).toBe('x');
  });

  xmllint.it('the JUnit file is well-formed XML: xmllint --noout', () => {
    execFileSync('xmllint', ['--noout', join(fx.dir, 'verify.xml')], { stdio: 'pipe' });
  });
});

describe('progress bar', () => {
  it('is drawn on stderr only when stderr is a TTY', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => err.push(s), isTTY: true, columns: 80 },
    };
    expect(await run(['transcript', 'verify', '--trust', fx.root, ...fx.good], io)).toBe(0);
    expect(err.join('')).toContain('3/3');
    // The bar's own control sequence reaches the terminal; it is the CLI's, not the files'.
    expect(err.join('')).toContain('\r[');
    expect(out.join('')).not.toContain('3/3');
    const quiet: string[] = [];
    const io2 = {
      stdout: { write: () => true },
      stderr: { write: (s: string) => quiet.push(s), isTTY: false },
    };
    expect(await run(['transcript', 'verify', '--trust', fx.root, ...fx.good], io2)).toBe(0);
    expect(quiet).toEqual([]);
  });
});
