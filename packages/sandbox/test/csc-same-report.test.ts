// Acceptance: a remote key at the sandbox CSC service signs the same document as a PKCS#12 file holding the
// same kind of key from the same PKI; verifyPdfSignatures gives the same report. Only the key source differs.
import type { webcrypto } from 'node:crypto';
import {
  cscSigner,
  pkcs12Signer,
  type Signer,
  signPdf,
  type VerificationReport,
  verifyPdfSignatures,
} from '@thgov/esign';
import { createPkcs12, generateSigningKeyPair } from '@thgov/pki/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSimplePdf } from '../src/gdx/pdf.js';
import { englishFullName } from '../src/people.js';
import { type CscWorld, credentialTokenFor, loginForToken, startCscWorld } from './helpers/csc.js';

let world: CscWorld;
let serviceToken: string;
const letter = new Uint8Array(buildSimplePdf('Letter 31/2569', ['To the Director-General', 'For approval.']));
const PASSPHRASE = 'same-doc-p12-pass';
const opened: Signer[] = [];

beforeAll(async () => {
  world = await startCscWorld();
  serviceToken = await loginForToken(world, world.officer.citizenId, 'openid service');
}, 60_000);

afterAll(async () => {
  for (const s of opened) await s.close?.();
  await world?.close();
});

/** The officer's key exported as a .p12, certified by the same issuing CA as the service's credentials. */
async function pkcs12Of(ec: boolean): Promise<Signer> {
  const pair = await generateSigningKeyPair({ ec });
  const { certificate } = await world.pki.issueSigningCertificate({
    commonName: englishFullName(world.officer),
    organization: 'Sandbox Ministry (TEST ONLY)',
    publicKey: pair.publicKey as webcrypto.CryptoKey,
  });
  const pfx = await createPkcs12(pair.privateKey, [certificate, world.pki.issuingCa.certificate], PASSPHRASE);
  return pkcs12Signer(pfx, PASSPHRASE);
}

async function signAndVerify(signer: Signer): Promise<VerificationReport> {
  const signed = await signPdf(letter, {
    signer,
    level: 'B-LT',
    tsa: `${world.pki.url}/tsa`,
    revocation: 'fetch',
    trustAnchors: world.pki.rootPem,
    reason: 'Approved',
    fieldName: 'Officer',
  });
  return verifyPdfSignatures(signed, { trustAnchors: world.pki.rootPem });
}

/** What must not depend on where the key is kept. */
function essentials(r: VerificationReport) {
  return {
    indication: r.indication,
    subIndication: r.subIndication,
    checks: r.checks.map((c) => [c.id, c.status]),
    signatures: r.signatures.map((s) => ({
      kind: s.kind,
      indication: s.indication,
      subIndication: s.subIndication,
      level: s.level,
      subject: s.signer?.subject,
      chainLength: s.chain?.length,
      checks: s.checks.map((c) => [c.id, c.status]),
    })),
  };
}

describe('the CSC service and a PKCS#12 file sign the same document alike', () => {
  it('RSA: officer1-rsa authorised at digital ID, and an RSA .p12: the same report, TOTAL_PASSED at B-LT', async () => {
    const remote = await cscSigner({
      serviceUrl: world.csc.url,
      credentialId: 'officer1-rsa',
      auth: { serviceToken, credentialToken: credentialTokenFor(world, world.officer.citizenId) },
    });
    opened.push(remote);
    const fromCsc = await signAndVerify(remote);
    const fromP12 = await signAndVerify(await pkcs12Of(false));
    expect(fromCsc.indication).toBe('TOTAL_PASSED');
    expect(fromCsc.signatures[0]?.level).toBe('B-LT');
    expect(essentials(fromCsc)).toEqual(essentials(fromP12));
  });

  it('ECDSA P-256: officer1-p256 authorised with PIN + OTP, and a P-256 .p12: the same report', async () => {
    const remote = await cscSigner({
      serviceUrl: world.csc.url,
      credentialId: 'officer1-p256',
      auth: {
        serviceToken,
        authData: async () => ({
          PIN: world.csc.officers[0]?.pin ?? '',
          OTP: world.csc.lastOtp('officer1-p256') ?? '',
        }),
      },
    });
    opened.push(remote);
    const fromCsc = await signAndVerify(remote);
    const fromP12 = await signAndVerify(await pkcs12Of(true));
    expect(fromCsc.indication).toBe('TOTAL_PASSED');
    expect(fromCsc.signatures[0]?.level).toBe('B-LT');
    expect(essentials(fromCsc)).toEqual(essentials(fromP12));
  });
});
