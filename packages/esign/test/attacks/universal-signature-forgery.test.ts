// Universal signature forgery (Mladenov et al., 2019): a signature dictionary whose /Contents or /ByteRange is
// missing, null, empty or malformed must never be reported valid, whatever the viewer would show.
import { describe, expect, it } from 'vitest';
import { name } from '../../src/pdf/writer.js';
import { replaceSignatureDictionary, signedFixture } from '../helpers/tamper.js';

const { pdf, verify } = await signedFixture('B-T');

const forgeries: [string, Uint8Array][] = [
  ['no /Contents', replaceSignatureDictionary(pdf, { Contents: undefined })],
  ['null /Contents', replaceSignatureDictionary(pdf, { Contents: null })],
  [
    'empty /Contents',
    replaceSignatureDictionary(
      pdf,
      {},
      '<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 10 20 30] /Contents <> >>',
    ),
  ],
  ['no /ByteRange', replaceSignatureDictionary(pdf, { ByteRange: undefined })],
  ['null /ByteRange', replaceSignatureDictionary(pdf, { ByteRange: null })],
  ['short /ByteRange', replaceSignatureDictionary(pdf, { ByteRange: [0, 10] })],
  ['negative /ByteRange', replaceSignatureDictionary(pdf, { ByteRange: [0, -1, 5, 10] })],
  ['unknown /Filter', replaceSignatureDictionary(pdf, { Filter: name('Evil.Handler') })],
];

describe('universal signature forgery against esign signatures', () => {
  it('the untouched document passes (the control)', async () => {
    expect((await verify(pdf)).indication).toBe('TOTAL_PASSED');
  });

  it.each(forgeries)('%s is never TOTAL_PASSED and no signature keeps its level', async (_n, bytes) => {
    const report = await verify(bytes);
    expect(report.indication).not.toBe('TOTAL_PASSED');
    expect(report.signatures.every((s) => s.indication !== 'TOTAL_PASSED' && s.level === undefined)).toBe(
      true,
    );
  });
});
