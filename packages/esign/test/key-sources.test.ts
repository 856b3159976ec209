// The same document signed with the same key from two key stores (in-process and a SoftHSM2 token through
// PKCS#11): the verification reports agree; only the key source differs.
import { exportPkcs8Pem } from '@thgov/pki';
import { afterAll, describe, expect, it } from 'vitest';
import { signPdf } from '../src/sign/sign-pdf.js';
import { pkcs11Signer } from '../src/signers/pkcs11.js';
import type { Signer } from '../src/signers/signer.js';
import type { VerificationReport } from '../src/verify/report.js';
import { verifyPdfSignatures } from '../src/verify/verify-pdf.js';
import { createSigningPki, letterPdf, signerFor } from './helpers/pki.js';
import { createSoftHsmToken, type SoftHsmToken, softhsm } from './helpers/softhsm.js';

const pki = await createSigningPki();
const letter = await letterPdf();
const PIN = '4711-test';

async function signAndVerify(signer: Signer): Promise<VerificationReport> {
  const pdf = await signPdf(letter, {
    signer,
    level: 'B-LT',
    tsa: pki.tsa,
    trustAnchors: pki.root.cert,
    validationData: { crls: pki.crls, ocspResponses: [pki.officerOcsp] },
    signingTime: pki.now,
    fieldName: 'Officer',
  });
  return verifyPdfSignatures(pdf, { trustAnchors: [pki.root.cert] });
}

/** What must not depend on the key source. */
function essentials(r: VerificationReport) {
  return r.signatures.map((s) => ({
    indication: s.indication,
    level: s.level,
    signer: s.signer,
    chain: s.chain,
    checks: s.checks.map((c) => [c.id, c.status]),
  }));
}

softhsm.describe('key sources sign alike', () => {
  let token: SoftHsmToken;
  const open: Signer[] = [];
  afterAll(async () => {
    for (const s of open) await s.close?.();
    token?.remove();
  });

  it('a SoftHSM2 token (PKCS#11) and an in-process key give the same report', async () => {
    token = createSoftHsmToken('thgov-esign-sources', PIN);
    token.importKey(await exportPkcs8Pem(pki.officer.key), 'officer', '01');
    const hsm = await pkcs11Signer({
      library: token.library,
      tokenLabel: token.label,
      pin: PIN,
      keyLabel: 'officer',
      certificateChain: [pki.officer.cert, pki.ca.cert],
    });
    open.push(hsm);
    const fromHsm = await signAndVerify(hsm);
    const local = await signAndVerify(signerFor(pki, pki.officer));
    expect(fromHsm.indication).toBe('TOTAL_PASSED');
    expect(essentials(fromHsm)).toEqual(essentials(local));
    expect(fromHsm.signatures[0]?.level).toBe('B-LT');
  });
});

describe('key sources (always)', () => {
  it('the in-process signer reaches B-LT', async () => {
    expect((await signAndVerify(signerFor(pki, pki.officer))).signatures[0]?.level).toBe('B-LT');
  });
});
