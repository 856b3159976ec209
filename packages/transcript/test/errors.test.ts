import { ThGovError } from '@thgov/core';
import { caught } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import {
  decodeCertificates,
  FontError,
  isFontError,
  isTranscriptError,
  TranscriptError,
} from '../src/index.js';

describe('isTranscriptError', () => {
  it('checks the thgov brand, the class name and the code', () => {
    const e = new TranscriptError('ERR_PDF_ENCRYPTED', 'encrypted');
    expect(isTranscriptError(e)).toBe(true);
    expect(isTranscriptError(e, 'ERR_PDF_ENCRYPTED')).toBe(true);
    expect(isTranscriptError(e, 'ERR_PDF_FORMAT')).toBe(false);
    expect(isTranscriptError(new ThGovError('ERR_PDF_ENCRYPTED', 'x'))).toBe(false);
    expect(isTranscriptError({ name: 'TranscriptError', code: 'ERR_PDF_FORMAT' })).toBe(false);
    const font = new FontError('ERR_FONT_MISSING_GLYPH', 'no glyph');
    expect(isFontError(font, 'ERR_FONT_MISSING_GLYPH')).toBe(true);
    expect(isFontError(font, 'ERR_FONT_UNREADABLE')).toBe(false);
    expect(isTranscriptError(font)).toBe(false);
  });

  it('recognizes what the package throws', () => {
    const err = caught(() => decodeCertificates('no certificate here'));
    expect(isTranscriptError(err, 'ERR_PDF_FORMAT')).toBe(true);
  });
});
