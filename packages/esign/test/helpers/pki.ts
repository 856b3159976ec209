import { KeyObject } from 'node:crypto';
import type { CryptoKey, TimeStampFunction } from '@thgov/pki';
import {
  createCrl,
  createOcspResponse,
  createTimeStampAuthority,
  issueTestIdentity,
  type TestIdentityOptions,
} from '@thgov/pki/testing';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { keyObjectSigner } from '../../src/signers/local.js';
import type { Signer } from '../../src/signers/signer.js';

const DAY = 86_400_000;

export interface Identity {
  cert: Uint8Array;
  key: CryptoKey;
}

/** A throwaway PKI (fresh keys each run, nothing committed): root → CA → officers, a TSA, CRLs and OCSP. */
export interface SigningPki {
  root: Identity;
  ca: Identity;
  officer: Identity;
  director: Identity;
  expired: Identity;
  revoked: Identity;
  tsa: TimeStampFunction;
  tsaCert: Uint8Array;
  crls: Uint8Array[];
  /** A good OCSP answer for the officer, signed by the CA. */
  officerOcsp: Uint8Array;
  now: Date;
}

/** Issues one certificate of the esign test PKI (@thgov/pki/testing's `issueTestIdentity`). */
export function issue(
  now: Date,
  cn: string,
  serial: number,
  issuer: Identity | undefined,
  extra: TestIdentityOptions = {},
): Promise<Identity> {
  return issueTestIdentity(now, cn, serial, issuer, {
    organization: 'thgov esign test PKI (not for production)',
    ...extra,
  });
}

export async function createSigningPki(now = new Date()): Promise<SigningPki> {
  const ca_ = { ca: true, keyUsage: ['keyCertSign', 'cRLSign'] as ('keyCertSign' | 'cRLSign')[] };
  const root = await issue(now, 'esign Test Root', 1, undefined, {
    ...ca_,
    notAfter: new Date(now.getTime() + 3650 * DAY),
  });
  const ca = await issue(now, 'esign Test Issuing CA', 2, root, { ...ca_, pathLength: 0 });
  const usage = {
    keyUsage: ['digitalSignature', 'nonRepudiation'] as ('digitalSignature' | 'nonRepudiation')[],
  };
  const officer = await issue(now, 'Test Officer', 100, ca, usage);
  const director = await issue(now, 'Test Director', 101, ca, usage);
  const expired = await issue(now, 'Expired Officer', 102, ca, {
    ...usage,
    notBefore: new Date(now.getTime() - 400 * DAY),
    notAfter: new Date(now.getTime() - 10 * DAY),
  });
  const revoked = await issue(now, 'Revoked Officer', 103, ca, usage);
  const tsaId = await issue(now, 'esign Test TSA', 200, ca, {
    keyUsage: ['digitalSignature'],
    extendedKeyUsage: ['1.3.6.1.5.5.7.3.8'],
    extendedKeyUsageCritical: true,
  });
  const crl = (issuer: Identity, revokedSerials: number[]) =>
    createCrl({
      issuerCertificate: issuer.cert,
      signingKey: issuer.key,
      thisUpdate: new Date(now.getTime() - DAY),
      nextUpdate: new Date(now.getTime() + 7 * DAY),
      revoked: revokedSerials.map((serialNumber) => ({
        serialNumber,
        date: new Date(now.getTime() - 2 * DAY),
      })),
    });
  const officerOcsp = await createOcspResponse({
    certificate: officer.cert,
    issuerCertificate: ca.cert,
    responderCertificate: ca.cert,
    responderKey: ca.key,
    status: 'good',
    producedAt: now,
    thisUpdate: new Date(now.getTime() - 60_000),
    nextUpdate: new Date(now.getTime() + DAY),
  });
  return {
    root,
    ca,
    officer,
    director,
    expired,
    revoked,
    tsa: createTimeStampAuthority({ certificate: tsaId.cert, privateKey: tsaId.key, chain: [ca.cert] }),
    tsaCert: tsaId.cert,
    crls: [await crl(ca, [103]), await crl(root, [])],
    officerOcsp,
    now,
  };
}

/** A local signer for `id` with its chain up to (not including) the root. */
export function signerFor(pki: SigningPki, id: Identity): Signer {
  return keyObjectSigner(KeyObject.from(id.key as never), [id.cert, pki.ca.cert]);
}

/** `signerFor`, counting how often the key is used (`uses`): a refusal must come before any use. */
export function countingSigner(pki: SigningPki, id: Identity): Signer & { uses: number } {
  const inner = signerFor(pki, id);
  const s = {
    uses: 0,
    certificateChain: inner.certificateChain,
    sign: (...args: Parameters<Signer['sign']>) => {
      s.uses++;
      return inner.sign(...args);
    },
  };
  return s;
}

/** A one-page letter made by pdf-lib: an input no thgov code wrote. */
export async function letterPdf(text = 'Official letter 1/2569'): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  const page = doc.addPage([595, 842]);
  page.drawText(text, { x: 72, y: 760, size: 14, font: await doc.embedFont(StandardFonts.Helvetica) });
  return doc.save({ useObjectStreams: false });
}
