// A transcript PDF "secured" with an owner password only (empty user password: it opens without asking, as
// registrars' and agencies' document tools write it). Signature verification already read such PDFs, attachment
// included; `extractTranscript` refused them with ERR_PDF_ENCRYPTED, so a verified transcript's data could not be
// read. qpdf encrypts here (rewriting the file, so its signature no longer holds: these tests are about reading).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool } from '@thgov/testkit';
import { beforeAll, expect, it } from 'vitest';
import { extractTranscript, verifyTranscript } from '../src/index.js';
import { issueGood, SAMPLE_XML } from './fixtures/generate.js';
import { createTestPki } from './helpers/pki.js';

const pki = await createTestPki();
const qpdf = requireTool('qpdf', { why: 'qpdf encrypts the transcripts as other tools do' });

/** `pdf` encrypted by qpdf with owner password "owner", user password `user`, and the given key options. */
function encrypted(pdf: Uint8Array, keyArgs: string[], user = '', extra: string[] = []): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'thgov-transcript-enc-'));
  try {
    writeFileSync(join(dir, 'in.pdf'), pdf);
    execFileSync(
      'qpdf',
      [
        '--allow-weak-crypto',
        ...extra,
        '--encrypt',
        user,
        'owner',
        ...keyArgs,
        '--',
        join(dir, 'in.pdf'),
        join(dir, 'out.pdf'),
      ],
      { stdio: 'pipe' },
    );
    return new Uint8Array(readFileSync(join(dir, 'out.pdf')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const variants: Array<[string, string[], string[]]> = [
  ['RC4 128-bit', ['128', '--use-aes=n'], []],
  ['AES-128', ['128', '--use-aes=y'], []],
  ['AES-256', ['256'], []],
  ['AES-256 with metadata in clear', ['256', '--cleartext-metadata'], []],
  ['AES-256 in object streams', ['256'], ['--object-streams=generate']],
];

qpdf.describe('transcripts encrypted with an empty user password', () => {
  let plain: Uint8Array;
  beforeAll(async () => {
    plain = await issueGood(pki);
  });

  it.each(variants)('%s: extractTranscript returns the same XML, name and XMP', (_what, keyArgs, extra) => {
    const pdf = encrypted(plain, keyArgs, '', extra);
    expect(Buffer.from(pdf).includes(Buffer.from('<GPA>'))).toBe(false);
    const t = extractTranscript(pdf);
    const base = extractTranscript(plain);
    expect(Buffer.from(t.xml).toString('utf8')).toBe(SAMPLE_XML);
    expect({ ...t, xml: undefined }).toEqual({ ...base, xml: undefined });
  });

  it('verification reads the same attachment (the signature itself no longer holds after qpdf)', async () => {
    const pdf = encrypted(plain, ['256']);
    const r = await verifyTranscript(pdf, { trust: [pki.root.cert] });
    // No signature holds, so the attachment step did not pass: its evidence names the file, report.attachment not.
    const step13 = r.checks.find((c) => c.id === 'pdfa-attachment');
    expect(step13?.evidence?.fileName).toBe('transcript.xml');
    expect(r.attachment).toBeUndefined();
    expect(r.indication).not.toBe('TOTAL_PASSED');
  });

  it('a transcript that needs a user password is still ERR_PDF_ENCRYPTED, saying so', () => {
    const pdf = encrypted(plain, ['256'], 'secret-user-password');
    let err: (Error & { code?: string }) | undefined;
    try {
      extractTranscript(pdf);
    } catch (e) {
      err = e as Error & { code?: string };
    }
    expect(err?.code).toBe('ERR_PDF_ENCRYPTED');
    expect(err?.message).toMatch(/password/i);
    expect(err?.message).not.toContain('secret-user-password');
  });
});
