import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportPkcs8Pem, toPem } from '@thgov/pki';
import { createPkcs12 } from '@thgov/pki/testing';
import { buildSimplePdf, type SandboxPki, startSandboxPki } from '@thgov/sandbox';
import { certsOnlyPkcs7 } from '@thgov/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliIo, ConfigError, loadConfig, run } from '../src/index.js';
import { type Run, tempDir } from './doctor-helpers.js';

/**
 * `thgov` given the files agencies really have: a passphrase file and a thgov.config.json saved by Windows
 * Notepad, trust anchors as a CA portal's .p7b or OpenSSL's printout, and a key file where a certificate belongs.
 */
const PASSPHRASE = 'p12-Passphrase-5529';
let pki: SandboxPki;
let dir: string;
let p12: string;
let letter: string;

beforeAll(async () => {
  pki = await startSandboxPki();
  dir = tempDir();
  p12 = join(dir, 'officer.p12');
  const chain = [pki.signer.certificate, pki.issuingCa.certificate];
  writeFileSync(p12, await createPkcs12(pki.signer.privateKey, chain, PASSPHRASE));
  writeFileSync(join(dir, 'empty.p12'), await createPkcs12(pki.signer.privateKey, chain, ''));
  writeFileSync(join(dir, 'root.pem'), toPem(pki.root.certificate));
  letter = join(dir, 'letter.pdf');
  writeFileSync(letter, buildSimplePdf('Letter 7/2569', ['To the Registrar']));
}, 60_000);

afterAll(async () => {
  await pki?.close();
});

async function cli(args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  };
  const code = await run(args, io);
  return { code, stdout, stderr };
}

const sign = (out: string, ...more: string[]) =>
  cli(['pdf', 'sign', letter, join(dir, out), '--pkcs12', p12, ...more]);

describe('thgov pdf sign / verify with files as they are handed over', () => {
  it('a passphrase file saved by Notepad (UTF-8 BOM, CRLF) opens the PKCS#12 file', async () => {
    const passFile = join(dir, 'pass-notepad.txt');
    writeFileSync(passFile, `\uFEFF${PASSPHRASE}\r\n`);
    const r = await sign('notepad.pdf', '--passphrase-file', passFile, '--trust', join(dir, 'root.pem'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('a PKCS#12 exported with an empty password opens with an empty passphrase file', async () => {
    const passFile = join(dir, 'pass-empty.txt');
    writeFileSync(passFile, '\r\n');
    const r = await cli([
      'pdf',
      'sign',
      letter,
      join(dir, 'empty-pass.pdf'),
      '--pkcs12',
      join(dir, 'empty.p12'),
      '--passphrase-file',
      passFile,
      '--skip-chain-check',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('--trust as a DER .p7b and as OpenSSL output with Bag Attributes: signed, then TOTAL_PASSED', async () => {
    const bundle = join(dir, 'chain.p7b');
    writeFileSync(bundle, certsOnlyPkcs7([pki.issuingCa.certificate, pki.root.certificate]));
    const printed = join(dir, 'root-bag.pem');
    writeFileSync(
      printed,
      `Bag Attributes\r\n    friendlyName: Sandbox Root\r\n    localKeyID: 01 00 00 00\r\nsubject=CN = Sandbox Root\r\n\r\nissuer=CN = Sandbox Root\r\n\r\n${pki.rootPem.replace(/\n/g, '\r\n')}`,
    );
    process.env.THGOV_TEST_P12_PASS = PASSPHRASE;
    const signed = await sign('p7b.pdf', '--passphrase-env', 'THGOV_TEST_P12_PASS', '--trust', bundle);
    delete process.env.THGOV_TEST_P12_PASS;
    expect(signed.stderr).toBe('');
    expect(signed.code).toBe(0);
    for (const trust of [bundle, printed]) {
      const r = await cli(['pdf', 'verify', '--json', '--trust', trust, join(dir, 'p7b.pdf')]);
      expect(r.stderr).toBe('');
      expect((JSON.parse(r.stdout) as { indication: string }[])[0]?.indication).toBe('TOTAL_PASSED');
    }
  });

  it('--trust given a private key: a usage error that says so and prints none of the key', async () => {
    const keyPem = await exportPkcs8Pem(
      (await globalThis.crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign']))
        .privateKey as never,
    );
    const keyFile = join(dir, 'officer.key');
    writeFileSync(keyFile, keyPem);
    const line = keyPem.split('\n')[1]!;
    for (const args of [
      ['pdf', 'verify', '--trust', keyFile, letter],
      ['pdf', 'sign', letter, join(dir, 'x.pdf'), '--pkcs12', p12, '--trust', keyFile],
    ]) {
      const r = await cli(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/private key/);
      expect(r.stderr + r.stdout).not.toContain(line.slice(0, 16));
    }
  });
});

describe('thgov.config.json saved on Windows', () => {
  const config = { transcript: { trustAnchors: ['anchor.pem'] } };
  const text = JSON.stringify(config, null, 2).replace(/\n/g, '\r\n');

  it.each([
    ['UTF-8 with BOM and CRLF (Notepad)', Buffer.from(`\uFEFF${text}`, 'utf8')],
    [
      'UTF-16 LE with BOM (Notepad "Unicode", PowerShell 5 Out-File)',
      Buffer.from(`\uFEFF${text}`, 'utf16le'),
    ],
  ])('%s is read', async (_what, bytes) => {
    const file = join(dir, 'win.config.json');
    writeFileSync(file, bytes);
    const loaded = await loadConfig(file);
    expect(loaded.transcript?.trustAnchors).toEqual([join(dir, 'anchor.pem')]);
  });

  it('a trailing comma names its line and column (counted without the BOM) and quotes no value', async () => {
    const secret = 'cfg-secret-0b7e11c3';
    const file = join(dir, 'comma.config.json');
    writeFileSync(file, `\uFEFF{"exchange": {"consumerSecret": "${secret}",}}\r\n`);
    const err = (await loadConfig(file).then(
      () => undefined,
      (e: unknown) => e,
    )) as ConfigError;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.code).toBe('ERR_CLI_CONFIG_READ');
    expect(err.message).toContain('line 1, column 55');
    expect(err.message).not.toContain(secret);
    writeFileSync(file, `{\r\n  "transcript": {\r\n    "trustAnchors": ["a.pem"],\r\n  },\r\n}\r\n`);
    const err2 = (await loadConfig(file).then(
      () => undefined,
      (e: unknown) => e,
    )) as ConfigError;
    expect(err2.message).toContain('line 4, column 3');
  });

  it('a UTF-16 file that is not JSON still gets a JSON error, not a garbled one', async () => {
    const file = join(dir, 'utf16-bad.config.json');
    writeFileSync(file, Buffer.from('\uFEFF{"transcript": ', 'utf16le'));
    await expect(loadConfig(file)).rejects.toMatchObject({ code: 'ERR_CLI_CONFIG_READ' });
  });
});
