// Tokens that do not offer every mechanism: HSM policies that forbid PKCS#1 v1.5, keys limited by
// CKA_ALLOWED_MECHANISMS, tokens without raw (digest-taking) mechanisms. SoftHSM2's `slots.mechanisms` and the
// key attribute make such tokens for real. The signer must offer only what the token can do, and refuse a key it
// cannot use before anything is signed. Where a PDF is produced, poppler's pdfsig checks it as well.
import { KeyObject } from 'node:crypto';
import { generateSigningKeyPair } from '@thgov/pki/testing';
import { requireTool } from '@thgov/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isEsignError, pkcs11Signer, type Signer } from '../src/index.js';
import { CK } from '../src/pkcs11/binding.js';
import { signPdf } from '../src/sign/sign-pdf.js';
import type { VerificationReport } from '../src/verify/report.js';
import { verifyPdfSignatures } from '../src/verify/verify-pdf.js';
import { createSigningPki, type Identity, issue, letterPdf } from './helpers/pki.js';
import { softhsm } from './helpers/softhsm.js';
import { CKA, createSoftHsmSlots, privateKeyTemplate, type SoftHsmSlots } from './helpers/softhsm-slots.js';

const PIN = '2569-mech';
const pki = await createSigningPki();
const letter = await letterPdf('Letter signed on a restricted token');
const ecOfficer = await issue(pki.now, 'EC Token Officer', 150, pki.ca, {
  keyUsage: ['digitalSignature', 'nonRepudiation'],
  keyPair: await generateSigningKeyPair({ ec: true }),
});
const pdfsig = requireTool('pdfsig', { why: 'poppler checks the PDF signed on the token independently' });

async function signLetter(signer: Signer): Promise<Uint8Array> {
  return signPdf(letter, {
    signer,
    level: 'B-LT',
    tsa: pki.tsa,
    trustAnchors: pki.root.cert,
    validationData: { crls: pki.crls, ocspResponses: [pki.officerOcsp] },
    signingTime: pki.now,
    fieldName: 'Officer',
  });
}
const verified = (pdf: Uint8Array): Promise<VerificationReport> =>
  verifyPdfSignatures(pdf, { trustAnchors: [pki.root.cert] });

function tokenSuite(name: string, conf: string, body: (ctx: () => Ctx) => void) {
  softhsm.describe(name, () => {
    const ctx = { hsm: undefined as unknown as SoftHsmSlots, slot: 0n, open: [] as Signer[] };
    beforeAll(() => {
      ctx.hsm = createSoftHsmSlots(conf);
      ctx.slot = ctx.hsm.addToken('mechanisms', PIN);
    });
    afterAll(async () => {
      for (const s of ctx.open.splice(0)) await s.close?.();
      ctx.hsm?.remove();
    });
    body(() => ({
      ...ctx,
      async writeKey(id: Identity, label: string, idHex: string, extra = []) {
        const key = KeyObject.from(id.key as never);
        await ctx.hsm.withSession(ctx.slot, PIN, (api, s) =>
          api.C_CreateObject(s, privateKeyTemplate(key, label, Buffer.from(idHex, 'hex'), extra)),
        );
      },
      async signer(keyLabel: string, identity: Identity) {
        const s = await pkcs11Signer({
          library: ctx.hsm.library,
          tokenLabel: 'mechanisms',
          pin: PIN,
          keyLabel,
          certificateChain: [identity.cert, pki.ca.cert],
        });
        ctx.open.push(s);
        return s;
      },
    }));
  });
}
interface Ctx {
  hsm: SoftHsmSlots;
  writeKey(
    id: Identity,
    label: string,
    idHex: string,
    extra?: Array<{ type: number; value: unknown }>,
  ): Promise<void>;
  signer(keyLabel: string, identity: Identity): Promise<Signer>;
}

const mechanismList = (...types: number[]) => {
  const out = Buffer.alloc(8 * types.length);
  for (const [i, t] of types.entries()) out.writeBigUInt64LE(BigInt(t), 8 * i);
  return out;
};

// SoftHSM 2.6 skips the first name of a "-" (disable) list, hence the placeholder CKM_VENDOR_DEFINED.
tokenSuite(
  'a token whose policy forbids CKM_RSA_PKCS (PSS only)',
  'slots.mechanisms = -CKM_VENDOR_DEFINED,CKM_RSA_PKCS',
  (ctx) => {
    it('offers RSA-PSS only; signPdf then signs with PSS and the PDF verifies', async () => {
      await ctx().writeKey(pki.officer, 'officer', '01');
      const signer = await ctx().signer('officer', pki.officer);
      expect(signer.schemes).toEqual(['RSA-PSS']);
      const report = await verified(await signLetter(signer));
      expect(report.indication).toBe('TOTAL_PASSED');
    });

    it('asking it for PKCS#1 v1.5 is ERR_ESIGN_ALGORITHM before the token is used', async () => {
      const signer = await ctx().signer('officer', pki.officer);
      expect(() =>
        signer.sign(new Uint8Array(32), { scheme: 'RSASSA-PKCS1-v1_5', digest: 'SHA-256' }),
      ).toThrow(expect.objectContaining({ code: 'ERR_ESIGN_ALGORITHM' }));
    });

    it('a key limited to CKM_RSA_PKCS by CKA_ALLOWED_MECHANISMS can sign nothing here: refused when opened', async () => {
      await ctx().writeKey(pki.director, 'pkcs1-only', '02', [
        { type: CKA.ALLOWED_MECHANISMS, value: mechanismList(CK.CKM_RSA_PKCS) },
      ]);
      const err = await ctx()
        .signer('pkcs1-only', pki.director)
        .catch((e: unknown) => e);
      expect(isEsignError(err, 'ERR_ESIGN_ALGORITHM')).toBe(true);
      expect((err as Error).message).toContain('CKM_RSA_PKCS');
    });
  },
);

tokenSuite(
  'a token without raw CKM_ECDSA (only hashing ECDSA mechanisms)',
  'slots.mechanisms = -CKM_VENDOR_DEFINED,CKM_ECDSA',
  (ctx) => {
    it('an EC key is refused when the signer opens (ERR_ESIGN_ALGORITHM), not at the first signature', async () => {
      await ctx().writeKey(ecOfficer, 'ec', '03');
      const err = await ctx()
        .signer('ec', ecOfficer)
        .catch((e: unknown) => e);
      expect(isEsignError(err, 'ERR_ESIGN_ALGORITHM')).toBe(true);
      expect((err as Error).message).toContain('CKM_ECDSA');
    });
  },
);

tokenSuite('a token with every mechanism', '', (ctx) => {
  it('a key allowed only CKM_RSA_PKCS_PSS offers RSA-PSS only', async () => {
    await ctx().writeKey(pki.officer, 'pss-only', '04', [
      { type: CKA.ALLOWED_MECHANISMS, value: mechanismList(CK.CKM_RSA_PKCS_PSS) },
    ]);
    const signer = await ctx().signer('pss-only', pki.officer);
    expect(signer.schemes).toEqual(['RSA-PSS']);
    expect((await verified(await signLetter(signer))).indication).toBe('TOTAL_PASSED');
  });

  pdfsig.describe('poppler pdfsig', () => {
    it('an ECDSA signature from the token (raw r‖s) is DER in the CMS: both verifiers accept the PDF', async () => {
      await ctx().writeKey(ecOfficer, 'ec', '05');
      const signer = await ctx().signer('ec', ecOfficer);
      const pdf = await signLetter(signer);
      const report = await verified(pdf);
      expect(report.signatures[0]?.checks.filter((c) => c.status === 'FAILED')).toEqual([]);
      const { PdfsigDb } = await import('./helpers/pdfsig.js');
      expect(PdfsigDb.create(pki.root.cert).check(pdf)).toContain('Signature is Valid.');
    });
  });
});
