// Active content in a signed document: JavaScript (and the other actions a policy weighs with it: /Launch,
// /SubmitForm, /ImportData) is never executed, but a policy that refuses it must find it wherever a viewer would
// run it — an inline /OpenAction, an annotation's inline /A, an /AA entry, a /Next chain — not only as an
// indirect object of its own.
import { describe, expect, it } from 'vitest';
import type { PdfObject } from '../../src/pdf/objects.js';
import { PdfRef } from '../../src/pdf/objects.js';
import { dict, name, str, type UpdateObject } from '../../src/pdf/writer.js';
import { signPdf } from '../../src/sign/sign-pdf.js';
import { PDF_POLICY } from '../../src/verify/policy.js';
import type { VerificationReport } from '../../src/verify/report.js';
import { verifyPdfSignatures } from '../../src/verify/verify-pdf.js';
import { createSigningPki, letterPdf, signerFor } from '../helpers/pki.js';
import { appendUpdate, edited } from '../helpers/tamper.js';

const REFUSE = { ...PDF_POLICY, name: 'refuse-active-content', javaScript: 'refuse' as const };
const pki = await createSigningPki();
const letter = await letterPdf();

const javaScript = () => dict({ S: name('JavaScript'), JS: str('app.alert(1)') });

/** The letter with `catalog` keys, the first page's keys and one Link annotation (keys `link`), then signed. */
async function signedWith(parts: {
  catalog?: Record<string, PdfObject>;
  page?: Record<string, PdfObject>;
  link?: Record<string, PdfObject>;
}): Promise<Uint8Array> {
  const prepared = appendUpdate(letter, ({ catalog, rootRef, next, pageRef, page }) => {
    const objects = new Map<number, UpdateObject>();
    const pageKeys: Record<string, PdfObject> = { ...parts.page };
    if (parts.link) {
      const n = next();
      objects.set(n, {
        value: dict({ Type: name('Annot'), Subtype: name('Link'), Rect: [72, 700, 300, 720], ...parts.link }),
      });
      pageKeys.Annots = [new PdfRef(n, 0)];
    }
    if (Object.keys(pageKeys).length) objects.set(pageRef.num, { value: edited(page, pageKeys) });
    if (parts.catalog) objects.set(rootRef.num, { value: edited(catalog, parts.catalog) });
    return objects;
  });
  return signPdf(prepared, {
    signer: signerFor(pki, pki.officer),
    level: 'B-T',
    tsa: pki.tsa,
    trustAnchors: pki.root.cert,
    validationData: { crls: pki.crls, ocspResponses: [pki.officerOcsp] },
  });
}

function verify(pdf: Uint8Array, refuse: boolean): Promise<VerificationReport> {
  return verifyPdfSignatures(pdf, {
    trustAnchors: [pki.root.cert],
    revocation: { crls: pki.crls },
    ...(refuse ? { policy: REFUSE } : {}),
  });
}

const cases: [string, string, Parameters<typeof signedWith>[0]][] = [
  ['an inline /OpenAction', 'JavaScript', { catalog: { OpenAction: javaScript() } }],
  ["a Link annotation's inline /A", 'JavaScript', { link: { A: javaScript() } }],
  ["a page's inline /AA entry", 'JavaScript', { page: { AA: dict({ O: javaScript() }) } }],
  [
    'the /Next chain of a harmless /OpenAction',
    'JavaScript',
    { catalog: { OpenAction: dict({ S: name('Named'), N: name('FirstPage'), Next: [javaScript()] }) } },
  ],
  [
    'an inline /Launch /OpenAction',
    'Launch',
    { catalog: { OpenAction: dict({ S: name('Launch'), F: str('calc.exe') }) } },
  ],
  [
    "a Link annotation's /SubmitForm",
    'SubmitForm',
    {
      link: { A: dict({ S: name('SubmitForm'), F: dict({ FS: name('URL'), F: str('http://127.0.0.1/') }) }) },
    },
  ],
  [
    "a Link annotation's /ImportData",
    'ImportData',
    { link: { A: dict({ S: name('ImportData'), F: str('x.fdf') }) } },
  ],
];

describe('active content anywhere a viewer runs it', () => {
  it.each(cases)('%s: refused when the policy refuses it, a warning otherwise', async (_, kind, parts) => {
    const pdf = await signedWith(parts);
    const refused = await verify(pdf, true);
    expect(refused.indication).toBe('INDETERMINATE');
    expect(refused.subIndication).toBe('SIG_CONSTRAINTS_FAILURE');
    const guard = refused.checks.find((c) => c.id === 'input-guards');
    expect(guard?.status).toBe('INDETERMINATE');
    expect(guard?.message).toContain(kind);
    const warned = await verify(pdf, false);
    expect(warned.indication).toBe('TOTAL_PASSED');
    expect(warned.checks.find((c) => c.id === 'input-guards')?.warnings.join(' ')).toContain(kind);
  });

  it('a plain /URI link is no active content', async () => {
    const pdf = await signedWith({ link: { A: dict({ S: name('URI'), URI: str('https://example.org/') }) } });
    const report = await verify(pdf, true);
    expect(report.indication).toBe('TOTAL_PASSED');
    expect(report.checks.find((c) => c.id === 'input-guards')?.warnings).toEqual([]);
  });
});
