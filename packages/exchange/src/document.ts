import { createHash } from 'node:crypto';
import type { HttpErrorOptions } from '@thgov/core';
import { GdxError } from './errors.js';
import type { JuristicPdfEnvelope, JuristicProfilePdf } from './schemas.js';

// Base64, line breaks allowed, padding then white space at the end. The white space after the padding is
// only tried after a `=` (`\s*={0,2}\s*$` split every run of white space both ways: quadratic on a run of
// spaces before a stray character, a hostile envelope of them hung the client).
const BASE64 = /^[A-Za-z0-9+/\s]*(?:={1,2}\s*)?$/;
const ALGORITHMS = ['sha256', 'sha1', 'md5'] as const;

/**
 * Declared hashes come as `{SHA256: hex}`, `{"SHA-256": hex}` or `[{Algorithm, Value}]`, hex or base64;
 * all are normalised to algorithm → lower-case hex.
 */
function declaredHashes(value: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const add = (alg: unknown, v: unknown) => {
    if (typeof alg !== 'string' || typeof v !== 'string') return;
    const name = alg.toLowerCase().replace(/[^a-z0-9]/g, '');
    const hex = /^[0-9a-fA-F]+$/.test(v) ? v.toLowerCase() : Buffer.from(v, 'base64').toString('hex');
    out.set(name, hex);
  };
  if (Array.isArray(value)) {
    for (const item of value.slice(0, 10)) {
      if (typeof item !== 'object' || item === null) continue;
      const o = Object.fromEntries(Object.entries(item).map(([k, v]) => [k.toLowerCase(), v]));
      add(o.algorithm ?? o.type ?? o.name, o.value ?? o.hash ?? o.digest);
    }
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) add(k, v);
  }
  return out;
}

/** Decodes a DBD document envelope and checks it is the PDF it says it is: size, declared hash, magic bytes. */
export function openPdfEnvelope(
  env: JuristicPdfEnvelope,
  errorOptions: HttpErrorOptions,
  service: string,
): JuristicProfilePdf {
  const fail = (message: string) =>
    new GdxError('ERR_GDX_INTEGRITY', `${service}: ${message}`, {
      ...errorOptions,
      service,
      envelope: 'document',
    });
  if (!BASE64.test(env.Result)) throw fail('the document is not valid base64');
  const bytes = Buffer.from(env.Result, 'base64');
  if (env.FileSize !== undefined && env.FileSize !== bytes.length) {
    throw fail(`declared size ${env.FileSize} bytes, received ${bytes.length}`);
  }
  const declared = declaredHashes(env.Hashes);
  const alg = ALGORITHMS.find((a) => declared.has(a));
  if (!alg) throw fail('the envelope declares no SHA-256, SHA-1 or MD5 hash to check the document against');
  const actual = createHash(alg).update(bytes).digest('hex');
  if (actual !== declared.get(alg)) throw fail(`the ${alg} of the document does not match the declared hash`);
  const mimeType = env.mimeType ?? 'application/pdf';
  if (mimeType === 'application/pdf' && bytes.subarray(0, 5).toString('latin1') !== '%PDF-') {
    throw fail('the document is declared application/pdf but is not a PDF');
  }
  return {
    bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    fileName: env.FileName,
    mimeType,
    name: env.Info?.Name,
    pageCount: env.Info?.NumberOfPage,
    sha256: alg === 'sha256' ? actual : createHash('sha256').update(bytes).digest('hex'),
    verifiedWith: alg,
  };
}
