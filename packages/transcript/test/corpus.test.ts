import { flipByte, requireTool } from '@thgov/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyPdfSignatures, verifyTranscript } from '../src/index.js';
import { buildCorpus, issueGood, unsignedTranscript } from './fixtures/generate.js';
import { NssDb } from './helpers/pdfsig.js';
import { createTestPki } from './helpers/pki.js';

const pki = await createTestPki();
const { good, attacks } = await buildCorpus(pki);
const trust = [pki.root.cert];

describe('good transcripts', () => {
  it.each(good.map((g) => [g.name, g] as const))('%s passes under both policies', async (_n, g) => {
    const strict = await verifyTranscript(g.bytes, { trust });
    expect(
      strict.indication,
      JSON.stringify(strict.signatures.map((s) => s.checks.filter((c) => c.status !== 'PASSED'))),
    ).toBe('TOTAL_PASSED');
    const generic = await verifyPdfSignatures(g.bytes, { trust });
    expect(generic.indication).toBe('TOTAL_PASSED');
    for (const s of strict.signatures) {
      expect(s.checks.map((c) => c.step)).toEqual([...s.checks.map((c) => c.step)].sort((a, b) => a - b));
      expect(s.byteRange).toHaveLength(4);
    }
  });

  it('reports evidence: coverage, revision, signer, chain, proven time and revocation source', async () => {
    const r = await verifyTranscript(good[0]!.bytes, { trust });
    const s = r.signatures[0]!;
    expect(s.coverage).toBe('ENTIRE_FILE');
    expect(s.revision).toBe(1);
    expect(s.modification).toBe('NONE');
    expect(s.signer?.subject).toContain('Test University Registrar');
    expect(s.chain.map((c) => c.subject.replace(/.*CN=/, ''))).toEqual([
      'Test University Registrar',
      'Test Issuing CA',
      'Test Root CA',
    ]);
    expect(s.signingTime.proof).toBe('signature-timestamp');
    expect(s.signingTime.proven).toBeDefined();
    expect(s.signingTime.claimedCms).toBeDefined();
    expect(s.revocation.map((e) => [e.source, e.type, e.status])).toEqual([
      ['adbe-revocation-info', 'crl', 'good'],
      ['adbe-revocation-info', 'crl', 'good'],
    ]);
    expect(r.attachment).toMatchObject({
      fileName: 'transcript.xml',
      relationship: 'Alternative',
      mimeType: 'text/xml',
    });
    expect(r.checks.map((c) => c.step)).toEqual([1, 2, 3, 13, 14, 15]);
  });

  it('CAdES with /DSS takes revocation from the DSS; a document time-stamp is an allowed LTA update', async () => {
    const dss = await verifyTranscript(good.find((g) => g.name === 'good-cades-dss')!.bytes, { trust });
    expect(dss.signatures[0]!.revocation.every((e) => e.source === 'dss')).toBe(true);
    expect(dss.signatures[0]!.modification).toBe('LTA_UPDATES');
    const lta = await verifyTranscript(good.find((g) => g.name === 'good-cades-dss-doc-timestamp')!.bytes, {
      trust,
    });
    expect(lta.signatures.map((s) => s.kind).sort()).toEqual(['document-timestamp', 'signature']);
    expect(lta.signatures.find((s) => s.kind === 'signature')!.coverage).toBe('ENTIRE_REVISION');
  });

  it('without trust anchors nothing is trusted (never the TLS roots)', async () => {
    const r = await verifyTranscript(good[0]!.bytes);
    expect(r.indication).toBe('INDETERMINATE');
    // The TSA cannot be trusted either, so the strict policy stops at the time-stamp.
    expect(r.subIndication).toBe('NO_POE');
    const generic = await verifyPdfSignatures(good[0]!.bytes);
    expect(generic.indication).toBe('INDETERMINATE');
    expect(generic.subIndication).toBe('NO_CERTIFICATE_CHAIN_FOUND');
  });

  it('a validation time before the signer existed gives no chain', async () => {
    const plain = await issueGood(pki, { tsa: null });
    const r = await verifyPdfSignatures(plain, {
      trust,
      validationTime: new Date(pki.now.getTime() - 400 * 86_400_000),
    });
    expect(r.indication).toBe('TOTAL_FAILED');
    expect(r.subIndication).toBe('NOT_YET_VALID');
    // With a time-stamp the proven time, not the requested validation time, decides.
    const stamped = await verifyPdfSignatures(good[0]!.bytes, {
      trust,
      validationTime: new Date(pki.now.getTime() - 400 * 86_400_000),
    });
    expect(stamped.indication).toBe('TOTAL_PASSED');
  });
});

describe('attack corpus', () => {
  it.each(attacks.map((a) => [a.name, a] as const))('%s', async (_n, a) => {
    const options = { trust: a.trust ?? trust };
    const strict = await verifyTranscript(a.bytes, options);
    expect(strict.indication).toBe(a.expected.indication);
    if (a.expected.subIndication) expect(strict.subIndication).toBe(a.expected.subIndication);
    if (a.expectedPdf) {
      const generic = await verifyPdfSignatures(a.bytes, options);
      expect(generic.indication).toBe(a.expectedPdf.indication);
      if (a.expectedPdf.subIndication) expect(generic.subIndication).toBe(a.expectedPdf.subIndication);
    } else {
      expect((await verifyPdfSignatures(a.bytes, options)).indication).not.toBe('TOTAL_PASSED');
    }
  });

  it('covers every attack family of the issue', () => {
    const names = attacks.map((a) => a.name).join(' ');
    for (const family of [
      'usf-',
      'isa-page',
      'isa-swapped-xml',
      'isa-xmp',
      'swa-',
      'shadow-hide',
      'shadow-replace',
      'evil-annotation',
      'sneaky-signature',
      'pd-',
      'sha1',
      'wrong-signer',
      'expired',
      'revoked',
      'timestamp-',
      'qpdf',
      'truncated',
      'xml-xxe',
      'xml-entity-bomb',
    ]) {
      expect(names).toContain(family);
    }
  });
});

// pdfsig is an independent second opinion (poppler-utils and libnss3-tools): skipped and listed where it is
// missing, a failure under CI.
const pdfsig = requireTool('pdfsig', { why: 'poppler as an independent second opinion on our signatures' });
pdfsig.describe('poppler pdfsig cross-check', () => {
  let db: NssDb | undefined;
  afterAll(() => db?.close());

  it('every good file is valid, trusted and totally signed for pdfsig', async () => {
    db = await NssDb.create(pki.root.cert, { id: pki.signer, chain: [pki.ca.cert] });
    for (const g of good) {
      const out = db.check(g.bytes);
      expect(out, g.name).toContain('Signature is Valid.');
      expect(out, g.name).toContain('Certificate is Trusted.');
      if (g.name !== 'good-cades-dss' && g.name !== 'good-cades-dss-doc-timestamp')
        expect(out, g.name).toContain('Total document signed');
    }
  });

  it('files signed by pdfsig -add-signature verify here; tampering them fails', async () => {
    db ??= await NssDb.create(pki.root.cert, { id: pki.signer, chain: [pki.ca.cert] });
    const signed = db.sign(await unsignedTranscript(pki));
    expect(db.check(signed)).toContain('Total document signed');
    const generic = await verifyPdfSignatures(signed, { trust });
    expect(generic.indication).toBe('TOTAL_PASSED');
    expect(generic.signatures[0]!.signer?.subject).toContain('Test University Registrar');
    // No embedded revocation data in poppler's signature: the strict policy cannot conclude.
    const strict = await verifyTranscript(signed, { trust });
    expect(strict.indication).toBe('INDETERMINATE');
    expect(strict.subIndication).toBe('TRY_LATER');
    const tampered = flipByte(signed, 200, 0x20);
    expect((await verifyPdfSignatures(tampered, { trust })).indication).toBe('TOTAL_FAILED');
  });

  it('a second signature by pdfsig on top of ours keeps both valid under the generic policy', async () => {
    db ??= await NssDb.create(pki.root.cert, { id: pki.signer, chain: [pki.ca.cert] });
    const twice = db.sign(good[0]!.bytes, { field: 'Countersign' });
    const r = await verifyPdfSignatures(twice, { trust });
    expect(r.signatures).toHaveLength(2);
    expect(
      r.signatures.every((s) => s.indication === 'TOTAL_PASSED'),
      JSON.stringify(r.signatures.map((s) => s.checks.filter((c) => c.status !== 'PASSED'))),
    ).toBe(true);
  });
});
