// Guard for the signature check of letters with large contents: the codec verifies over a document whose long
// base64 runs inside the letter stay placeholders, and digests and decodes the letter's canonical bytes with the
// runs put back. This compares it, over many generated letters (honest, re-wrapped, with entities, CDATA, CR LF,
// and altered ones), with the straightforward check: xml-crypto over the whole text, whose signed canonical
// letter is then decoded. Both must accept and refuse the same letters, and decode the same letter.

import { describe, expect, it } from 'vitest';
import { SignedXml } from 'xml-crypto';
import { decodeInboundItem } from '../src/codec/inbound.js';
import { decodeInboundResponse } from '../src/codec.js';
import { encodeGovernmentDocument, type LetterInput } from '../src/index.js';
import { configureAlgorithms } from '../src/signature/algorithms.js';
import { parseDom } from '../src/xml/dom.js';
import { DEFAULT_XML_LIMITS } from '../src/xml/limits.js';
import { scanXml } from '../src/xml/scan.js';
import { signatureDom } from '../src/xml/signature-dom.js';
import { standardChain } from './helpers/certs.js';
import { pdfBytes, sampleLetter } from './helpers/letters.js';
import { signLetterWith } from './helpers/sign.js';

const chain = standardChain();
const verify = { policy: 'require' as const, trustAnchors: [chain.root.pem] };

/** A small deterministic generator (mulberry32), so a failure names its case. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomBytes(next: () => number, size: number): Buffer {
  const b = pdfBytes(size);
  for (let i = 9; i < size; i++) b[i] = Math.floor(next() * 256);
  return b;
}

function wrap(xmlDoc: string): string {
  return `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><CorrespondenceLetterInboundResponse><ProcessID>P1</ProcessID><ProcessTime>2026-11-27T10:00:00</ProcessTime>${xmlDoc}</CorrespondenceLetterInboundResponse></soap:Body></soap:Envelope>`;
}

/** Rewrites every long base64 run of the unsigned document the way some senders write it (before signing). */
type Spelling = (b64: string, next: () => number) => string;
const SPELLINGS: Record<string, Spelling> = {
  plain: (b) => b,
  lines: (b) => b.replace(/(.{76})/g, '$1\n'),
  crlf: (b) => b.replace(/(.{64})/g, '$1\r\n'),
  spaces: (b) => `\n    ${b.replace(/(.{60})/g, '$1\n    ')}\n  `,
  entity: (b, next) => {
    const at = Math.floor(next() * b.length);
    return `${b.slice(0, at)}&#${b.charCodeAt(at)};${b.slice(at + 1)}`;
  },
  cdata: (b) => `<![CDATA[${b}]]>`,
  tab: (b) => b.replace(/(.{100})/g, '$1\t'),
};

/** What an attacker (or a broken relay) does to the signed answer. */
type Alteration = (xml: string, next: () => number) => string;
const ALTERATIONS: Record<string, Alteration> = {
  none: (x) => x,
  flipInBlob: (x, next) => {
    const runs = [...x.matchAll(/>([A-Za-z0-9+/=\s]{3000,})</g)];
    const run = runs[Math.floor(next() * runs.length)];
    if (!run || run.index === undefined) return x;
    const at = run.index + 1 + 10 + Math.floor(next() * (run[1]!.length - 20));
    const c = x[at] === 'Q' ? 'R' : 'Q';
    return x.slice(0, at) + c + x.slice(at + 1);
  },
  crlfInBlob: (x) =>
    x.replace(/>([A-Za-z0-9+/=]{3000,})</, (_m, b: string) => `>${b.replace(/(.{64})/g, '$1\r\n')}<`),
  entityInBlob: (x) =>
    x.replace(/>([A-Za-z0-9+/=]{3000,})</, (_m, b: string) => `>&#${b.charCodeAt(0)};${b.slice(1)}<`),
  cdataBlob: (x) => x.replace(/>([A-Za-z0-9+/=]{3000,})</, (_m, b: string) => `><![CDATA[${b}]]><`),
  markerLike: (x) =>
    x.replace(/<ram:Subject>/, '<ram:Subject>__thgov_blob_00000000000000000000000000000000_0__'),
  blobOutsideLetter: (x) => x.replace('<soap:Body>', `<soap:Body><Note>${'QUFB'.repeat(1000)}</Note>`),
  truncatedBlob: (x) => x.replace(/>([A-Za-z0-9+/=]{3000,})</, (_m, b: string) => `>${b.slice(0, -4)}<`),
  swapBlobs: (x) => {
    const runs = [...x.matchAll(/>([A-Za-z0-9+/=]{3000,})</g)].map((m) => m[1] as string);
    if (runs.length < 2) return x;
    return x
      .replace(runs[0] as string, '\u0000')
      .replace(runs[1] as string, runs[0] as string)
      .replace('\u0000', runs[1] as string);
  },
};

function letterOf(next: () => number, i: number): LetterInput {
  const big = 2100 + Math.floor(next() * 8000);
  const attachments =
    next() < 0.5
      ? []
      : [{ mimeCode: 'image/png', content: randomBytes(next, 1 + Math.floor(next() * 9000)) }];
  return sampleLetter({
    id: `สพร 0105/${1000 + i}`,
    mainLetter: { mimeCode: 'application/pdf', content: randomBytes(next, big) },
    attachments,
  });
}

/** Signs the document after rewriting its base64 runs with `spell`, as a foreign signer would have written them. */
function signed(letter: LetterInput, spell: Spelling, next: () => number): string {
  const doc = encodeGovernmentDocument(letter, { withSignatureBlock: true }).toString('utf8');
  const respelled = doc.replace(/>([A-Za-z0-9+/=]{2049,})</g, (_m, b: string) => `>${spell(b, next)}<`);
  return signLetterWith(chain.signer, { documentXml: respelled }).toString('utf8');
}

/** The straightforward check: xml-crypto over the whole text; the signed canonical letter, or undefined. */
function referenceCanonical(answer: string): string | undefined {
  const { xml, doc } = parseDom(answer, DEFAULT_XML_LIMITS);
  const signature = doc.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature').item(0);
  if (!signature) return undefined;
  const v = configureAlgorithms(
    new SignedXml({ publicCert: chain.signer.pem, getCertFromKeyInfo: () => null }),
    false,
  );
  try {
    v.loadSignature(signature as never);
    return v.checkSignature(xml) ? v.getSignedReferences()[0] : undefined;
  } catch {
    return undefined;
  }
}

/** The letter decoded, without what only a signed decode adds (the signature evidence). */
function plainLetter(answerXml: string) {
  const item = decodeInboundResponse(answerXml);
  if (item?.kind !== 'letter') throw new Error(`not a letter: ${item?.kind}`);
  return item.letter;
}

describe('signed letters with large contents: the placeholder check agrees with the whole-text check', () => {
  const cases: [string, string, number][] = [];
  for (const spelling of Object.keys(SPELLINGS)) {
    for (const alteration of Object.keys(ALTERATIONS)) cases.push([spelling, alteration, cases.length + 1]);
  }
  it.each(cases)('%s spelling, %s alteration (seed %i)', (spelling, alteration, seed) => {
    const next = rng(seed);
    const answer = wrap(
      ALTERATIONS[alteration]!(signed(letterOf(next, seed), SPELLINGS[spelling]!, next), next),
    );
    const reference = referenceCanonical(answer);
    const { item, verified } = decodeInboundItem(answer, { verify });
    expect(item?.kind === 'letter' && verified !== undefined).toBe(reference !== undefined);
    if (reference === undefined || item?.kind !== 'letter') return;
    // The letter decoded from the signed bytes is the letter decoded from xml-crypto's signed canonical bytes.
    const fromReference = plainLetter(wrap(`<GovernmentDocument>${reference}</GovernmentDocument>`));
    const { signature: _block, ...decoded } = item.letter;
    expect(decoded).toEqual(fromReference);
  });

  it('accepts the honest letters and refuses every altered blob', () => {
    const outcomes: Record<string, boolean> = {};
    for (const alteration of ['none', 'flipInBlob', 'truncatedBlob', 'swapBlobs']) {
      const next = rng(7);
      const letter = sampleLetter({
        mainLetter: { mimeCode: 'application/pdf', content: randomBytes(next, 6000) },
        attachments: [{ mimeCode: 'image/png', content: randomBytes(next, 5000) }],
      });
      const answer = wrap(ALTERATIONS[alteration]!(signed(letter, SPELLINGS.plain!, next), next));
      outcomes[alteration] = decodeInboundItem(answer, { verify }).item?.kind === 'letter';
    }
    expect(outcomes).toEqual({ none: true, flipInBlob: false, truncatedBlob: false, swapBlobs: false });
  });
});

describe('signatureDom: which long runs stay placeholders, and their bytes put back', () => {
  const run = (c: string) => c.repeat(3000);
  const doc = (letterText: string, outside: string) =>
    `<r><ram:CorrespondenceLetter xmlns:ram="urn:x"><B>${letterText}</B></ram:CorrespondenceLetter><K>${outside}</K></r>`;

  it('keeps a base64 run of the letter, and restores it with CR LF and lone CR read as LF', () => {
    const text = `${run('QUFB')}\r\n${run('QkJC')}\r${run('Q0ND')}`;
    const scanned = scanXml(doc(text, 'short'), DEFAULT_XML_LIMITS);
    const dom = signatureDom(scanned);
    const placeholder = `${scanned.marker}0__`;
    expect(dom.xml).toContain(placeholder);
    expect(dom.doc.getElementsByTagName('B').item(0)?.textContent).toBe(placeholder);
    expect(dom.restore(`<B>${placeholder}</B>`).toString('latin1')).toBe(
      `<B>${text.replace(/\r\n?/g, '\n')}</B>`,
    );
  });

  it('writes back runs outside the letter, in CDATA, with references or other characters', () => {
    for (const letterText of [
      `<![CDATA[${run('QUFB')}]]>`,
      `${run('QUFB')}&amp;`,
      `${run('QUFB')}>`,
      run('ก'),
    ]) {
      const source = doc(letterText, run('TUlJ'));
      const scanned = scanXml(source, DEFAULT_XML_LIMITS);
      expect(scanned.blobs.length).toBe(2);
      const dom = signatureDom(scanned);
      expect(dom.xml).toBe(source);
      expect(() => dom.restore(`${scanned.marker}0__`)).toThrow();
      expect(() => dom.restore(`${scanned.marker}1__`)).toThrow();
    }
  });

  it('writes back runs of XML-DSig elements inside a letter-named element', () => {
    const source = `<ram:CorrespondenceLetter xmlns:ram="urn:x"><ds:X xmlns:ds="http://www.w3.org/2000/09/xmldsig#">${run('QUFB')}</ds:X></ram:CorrespondenceLetter>`;
    expect(signatureDom(scanXml(source, DEFAULT_XML_LIMITS)).xml).toBe(source);
  });
});
