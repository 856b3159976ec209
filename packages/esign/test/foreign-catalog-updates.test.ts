// Updates other programs write after a signature when they add validation data or a document time-stamp: iText's
// LtvVerification and PdfSigner register the ESIC developer extension (/Extensions /ESIC, ExtensionLevel 5 for
// /DSS and document time-stamps, 2 for CAdES), Acrobat its ADBE one, and some raise the catalog /Version. Those two
// catalog keys were "Catalog keys changed" (OTHER): an earlier signature became TOTAL_FAILED when another program
// made the document long-term. pyHanko exempts both from its catalog comparison. Only plain extension
// dictionaries and a well-formed version name (a reader ignores one below the header's) pass; anything else in them stays OTHER.
import { describe, expect, it } from 'vitest';
import { PdfDict, PdfName, type PdfObject, PdfRef, PdfString } from '../src/pdf/objects.js';
import { signPdf } from '../src/sign/sign-pdf.js';
import { verifyPdfSignatures } from '../src/verify/verify-pdf.js';
import { createSigningPki, letterPdf, signerFor } from './helpers/pki.js';
import { appendUpdate, edited } from './helpers/tamper.js';

const pki = await createSigningPki();
const signed = await signPdf(await letterPdf(), {
  signer: signerFor(pki, pki.officer),
  level: 'B-LT',
  tsa: pki.tsa,
  trustAnchors: pki.root.cert,
  validationData: { crls: pki.crls, ocspResponses: [pki.officerOcsp] },
});
const verify = (pdf: Uint8Array) =>
  verifyPdfSignatures(pdf, { trustAnchors: [pki.root.cert], revocation: { crls: pki.crls } });

const dict = (entries: Record<string, PdfObject>) => new PdfDict(new Map(Object.entries(entries)), -1, -1);
const name = (n: string) => new PdfName(n);
const text = (s: string) => new PdfString(new TextEncoder().encode(s), false, -1, -1);
const extension = (base: string, level: number, extra: Record<string, PdfObject> = {}) =>
  dict({ BaseVersion: name(base), ExtensionLevel: level, ...extra });

/** `signed` with one more update rewriting the catalog with `changes` (the DSS written again, as such tools do). */
function withCatalog(changes: Record<string, PdfObject | undefined>, asObject = false): Uint8Array {
  return appendUpdate(signed, ({ catalog, rootRef, next }) => {
    const objects = new Map();
    const resolved: Record<string, PdfObject | undefined> = { ...changes };
    if (asObject && changes.Extensions) {
      const num = next();
      objects.set(num, { value: changes.Extensions });
      resolved.Extensions = new PdfRef(num, 0);
    }
    objects.set(rootRef.num, { value: edited(catalog, resolved) });
    return objects;
  });
}

describe('catalog keys written with long-term validation data', () => {
  const esic = dict({ ESIC: extension('1.7', 5) });
  const cases: [string, Record<string, PdfObject>][] = [
    ['/Extensions /ESIC level 5 (iText LtvVerification)', { Extensions: esic }],
    [
      '/Extensions /ADBE level 8 and /ESIC with a URL',
      {
        Extensions: dict({
          ADBE: extension('1.7', 8),
          ESIC: extension('1.7', 5, { URL: text('https://www.etsi.org/') }),
        }),
      },
    ],
    [
      '/Extensions with an array of extensions (ISO 32000-2)',
      {
        Extensions: dict({ ISO_: [extension('2.0', 32001, { ExtensionRevision: text(':2022') })] }),
      },
    ],
    ['/Version /1.7', { Version: name('1.7') }],
    ['/Version /2.0 and /Extensions', { Version: name('2.0'), Extensions: esic }],
  ];
  for (const [what, changes] of cases)
    it(what, async () => {
      const r = await verify(withCatalog(changes));
      expect(r.indication).toBe('TOTAL_PASSED');
      expect(r.signatures[0]!.modification).toBe('LTA_UPDATES');
    });

  it('/Extensions as its own new object', async () => {
    const r = await verify(withCatalog({ Extensions: esic }, true));
    expect(r.indication).toBe('TOTAL_PASSED');
    expect(r.signatures[0]!.modification).toBe('LTA_UPDATES');
  });
});

describe('guard: anything else under those keys is still a change of the document', () => {
  const cases: [string, Record<string, PdfObject | undefined>][] = [
    [
      'an extension dictionary with an unknown key',
      {
        Extensions: dict({ ESIC: extension('1.7', 5, { JS: text('app.alert(1)') }) }),
      },
    ],
    [
      'an extension dictionary holding a dictionary',
      {
        Extensions: dict({ ESIC: extension('1.7', 5, { URL: dict({ S: name('JavaScript') }) }) }),
      },
    ],
    ['/Extensions that is not a dictionary', { Extensions: text('ESIC') }],
    ['/Version that is not a version', { Version: name('JavaScript') }],
    [
      '/OpenAction written next to /Extensions',
      {
        Extensions: dict({ ESIC: extension('1.7', 5) }),
        OpenAction: dict({ S: name('JavaScript'), JS: text('app.alert(1)') }),
      },
    ],
  ];
  for (const [what, changes] of cases)
    it(what, async () => {
      const r = await verify(withCatalog(changes));
      expect(r.signatures[0]!.modification).toBe('OTHER');
      expect(r.indication).toBe('TOTAL_FAILED');
    });
});
