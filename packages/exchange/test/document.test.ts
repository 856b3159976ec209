import { createHash } from 'node:crypto';
import { buildSimplePdf } from '@thgov/sandbox';
import { caught } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import { openPdfEnvelope } from '../src/document.js';
import { isGdxError } from '../src/index.js';

const pdf = buildSimplePdf('Test', ['line one']);
const hex = (alg: string, b: Buffer) => createHash(alg).update(b).digest('hex');
const envelope = (over: Record<string, unknown> = {}) => ({
  FileName: 'x.pdf',
  FileSize: pdf.length,
  mimeType: 'application/pdf',
  Hashes: { SHA256: hex('sha256', pdf) } as unknown,
  Result: pdf.toString('base64'),
  ...over,
});
const open = (env: ReturnType<typeof envelope>) =>
  openPdfEnvelope(
    env as Parameters<typeof openPdfEnvelope>[0],
    { statusCode: 200, requestId: 'r' },
    'dbd.test',
  );

function integrityError(fn: () => unknown): string {
  const err = caught(fn);
  expect(isGdxError(err, 'ERR_GDX_INTEGRITY')).toBe(true);
  return err.message;
}

describe('DBD document envelope checks', () => {
  it('accepts hashes as {SHA256: hex}, {"SHA-256": base64} and [{Algorithm, Value}]', () => {
    expect(open(envelope()).verifiedWith).toBe('sha256');
    const b64 = createHash('sha256').update(pdf).digest('base64');
    expect(open(envelope({ Hashes: { 'SHA-256': b64 } })).sha256).toBe(hex('sha256', pdf));
    expect(open(envelope({ Hashes: [{ Algorithm: 'MD5', Value: hex('md5', pdf) }] })).verifiedWith).toBe(
      'md5',
    );
  });

  it('rejects a size mismatch, a hash mismatch, a missing hash, bad base64 and a non-PDF', () => {
    expect(integrityError(() => open(envelope({ FileSize: pdf.length + 1 })))).toMatch(/size/);
    expect(integrityError(() => open(envelope({ Hashes: { SHA256: '00'.repeat(32) } })))).toMatch(
      /does not match/,
    );
    expect(integrityError(() => open(envelope({ Hashes: undefined })))).toMatch(/no SHA-256/);
    expect(integrityError(() => open(envelope({ Result: '!!!not base64!!!' })))).toMatch(/base64/);
    const html = Buffer.from('<html>error page</html>');
    expect(
      integrityError(() =>
        open(
          envelope({
            Result: html.toString('base64'),
            FileSize: html.length,
            Hashes: { SHA256: hex('sha256', html) },
          }),
        ),
      ),
    ).toMatch(/not a PDF/);
  });
});
