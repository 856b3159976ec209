import { KeyObject } from 'node:crypto';
import type { TimeStampFunction } from '@thgov/pki';
import {
  createCertificate,
  createCrl,
  createOcspResponse,
  createTimeStampAuthority,
  generateSigningKeyPair,
} from '@thgov/pki/testing';
import { httpServer, type TestServer } from '@thgov/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEsignError } from '../src/errors.js';
import { PdfDocument } from '../src/pdf/document.js';
import { decodeStream } from '../src/pdf/filters.js';
import { dictOf, type PdfStream } from '../src/pdf/objects.js';
import { extendPdf } from '../src/sign/extend.js';
import { signPdf } from '../src/sign/sign-pdf.js';
import { keyObjectSigner } from '../src/signers/local.js';
import { verifyPdfSignatures } from '../src/verify/verify-pdf.js';
import { createSigningPki, type Identity, letterPdf, signerFor } from './helpers/pki.js';

/**
 * `revocation: 'fetch'`: the OCSP responder and CRL distribution points named in the certificates are asked
 * while signing, and what they answer goes to /DSS. They are served on 127.0.0.1 from @thgov/pki/testing's
 * builders; the verification afterwards is offline, so the document carries everything it needs.
 */
const DAY = 86_400_000;
const pki = await createSigningPki();
const served = new Map<string, Uint8Array>();
let server: TestServer;
let officer: Identity;
let revokedOfficer: Identity;
/** An officer whose OCSP responder answers bytes that are no OCSP response (its CRL is good). */
let garbageOcspOfficer: Identity;
/** DER whose GeneralizedTime is no time: asn1js throws on it rather than answering "unreadable". */
const NOT_OCSP = (() => {
  const text = Buffer.from('20AB0101000000Z', 'latin1');
  return new Uint8Array(Buffer.concat([Buffer.from([0x30, text.length + 2, 0x18, text.length]), text]));
})();
/** A TSA whose certificate names an OCSP responder here: B-LT needs its status in /DSS too (EN 319 142-1). */
let tsa: TimeStampFunction;
let tsaOcsp: Uint8Array;

async function issueWithUrls(
  cn: string,
  serial: number,
  url: string,
  extra: { caIssuersUrl?: string; ocspUrl?: string; extendedKeyUsage?: string[] } = {},
): Promise<Identity> {
  const kp = await generateSigningKeyPair();
  const cert = await createCertificate({
    subject: { commonName: cn, organization: 'thgov esign test PKI (not for production)', country: 'TH' },
    publicKey: kp.publicKey,
    signingKey: pki.ca.key,
    issuer: { certificate: pki.ca.cert },
    serialNumber: serial,
    notBefore: new Date(pki.now.getTime() - 30 * DAY),
    notAfter: new Date(pki.now.getTime() + 365 * DAY),
    keyUsage: ['digitalSignature', 'nonRepudiation'],
    crlUrl: `${url}/ca.crl`,
    ocspUrl: `${url}/ocsp`,
    ...(extra.extendedKeyUsage ? { extendedKeyUsageCritical: true } : {}),
    ...extra,
  });
  return { cert, key: kp.privateKey };
}

beforeAll(async () => {
  server = await httpServer((req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    const body = path === '/ocsp' ? served.get(`ocsp:${req.method}`) : served.get(path);
    if (!body) return void res.writeHead(404).end();
    req.resume();
    res.writeHead(200, {
      'content-type': path.endsWith('ocsp') ? 'application/ocsp-response' : 'application/pkix-crl',
    });
    res.end(Buffer.from(body));
  });
  officer = await issueWithUrls('Fetching Officer', 300, server.url);
  revokedOfficer = await issueWithUrls('Revoked Fetching Officer', 301, server.url);
  garbageOcspOfficer = await issueWithUrls('Garbage OCSP Officer', 303, server.url, {
    ocspUrl: `${server.url}/bad-ocsp`,
  });
  served.set('/bad-ocsp', NOT_OCSP);
  served.set(
    '/ca.crl',
    await createCrl({
      issuerCertificate: pki.ca.cert,
      signingKey: pki.ca.key,
      thisUpdate: new Date(pki.now.getTime() - DAY),
      nextUpdate: new Date(pki.now.getTime() + 7 * DAY),
      revoked: [{ serialNumber: 301, date: new Date(pki.now.getTime() - DAY) }],
    }),
  );
  const good = await createOcspResponse({
    certificate: officer.cert,
    issuerCertificate: pki.ca.cert,
    responderCertificate: pki.ca.cert,
    responderKey: pki.ca.key,
    status: 'good',
    producedAt: new Date(),
    thisUpdate: new Date(Date.now() - 60_000),
    nextUpdate: new Date(Date.now() + DAY),
  });
  served.set('ocsp:POST', good);
  served.set('ocsp:GET', good);
  served.set('/ca.cer', pki.ca.cert);
  const tsaId = await issueWithUrls('Fetching TSA', 310, server.url, {
    ocspUrl: `${server.url}/tsa-ocsp`,
    extendedKeyUsage: ['1.3.6.1.5.5.7.3.8'],
  });
  tsa = createTimeStampAuthority({ certificate: tsaId.cert, privateKey: tsaId.key, chain: [pki.ca.cert] });
  tsaOcsp = await createOcspResponse({
    certificate: tsaId.cert,
    issuerCertificate: pki.ca.cert,
    responderCertificate: pki.ca.cert,
    responderKey: pki.ca.key,
    status: 'good',
    producedAt: new Date(),
    thisUpdate: new Date(Date.now() - 60_000),
    nextUpdate: new Date(Date.now() + DAY),
  });
  served.set('/tsa-ocsp', tsaOcsp);
});

/** The decoded streams of the final revision's /DSS array `key`. */
function dssEntries(pdf: Uint8Array, key: string): Buffer[] {
  const doc = new PdfDocument(pdf);
  const dss = dictOf(doc.resolve(doc.catalog(doc.last)?.get('DSS'), doc.last));
  const arr = doc.resolve(dss?.get(key), doc.last);
  return (Array.isArray(arr) ? arr : []).map((r) =>
    Buffer.from(decodeStream(doc.resolve(r, doc.last) as PdfStream, doc.budget)),
  );
}

afterAll(async () => {
  await server?.close();
});

const sign = async (who: Identity) =>
  signPdf(await letterPdf(), {
    signer: signerFor(pki, who),
    level: 'B-LT',
    tsa,
    trustAnchors: pki.root.cert,
    revocation: 'fetch',
    // Only the root's CRL is at hand: the officer's status must come from the network.
    validationData: { crls: [pki.crls[1]!] },
    timeoutInMs: 5_000,
  });

describe("signPdf with revocation: 'fetch'", () => {
  it('asks the URLs in the certificates and embeds the answers in /DSS: verifies offline at B-LT', async () => {
    const pdf = await sign(officer);
    expect(server.requests.some((r) => (r.url ?? '').startsWith('/ocsp') || r.url === '/ca.crl')).toBe(true);
    const report = await verifyPdfSignatures(pdf, { trustAnchors: [pki.root.cert] });
    expect(report.indication).toBe('TOTAL_PASSED');
    const sig = report.signatures.find((s) => s.kind === 'signature')!;
    expect(sig.level).toBe('B-LT');
    expect(sig.revocation[0]).toMatchObject({ source: 'dss', status: 'good' });
  });

  it('a signer that holds its own certificate only: the CA is downloaded from caIssuers and goes to /DSS', async () => {
    const lone = await issueWithUrls('Lone Officer', 302, server.url, {
      caIssuersUrl: `${server.url}/ca.cer`,
    });
    const before = server.requests.length;
    const pdf = await signPdf(await letterPdf(), {
      signer: keyObjectSigner(KeyObject.from(lone.key as never), [lone.cert]),
      level: 'B-LT',
      tsa,
      trustAnchors: pki.root.cert,
      revocation: 'fetch',
      validationData: { crls: [pki.crls[1]!] },
      timeoutInMs: 5_000,
    });
    expect(server.requests.slice(before).some((r) => r.url === '/ca.cer')).toBe(true);
    // Offline, with the root only: the CA certificate the document needs came with it.
    const report = await verifyPdfSignatures(pdf, { trustAnchors: [pki.root.cert] });
    expect(report.indication, report.signatures[0]?.checks.map((c) => c.message).join('; ')).toBe(
      'TOTAL_PASSED',
    );
    const sig = report.signatures.find((s) => s.kind === 'signature')!;
    expect(sig.level).toBe('B-LT');
    expect(sig.revocation[0]).toMatchObject({ source: 'dss', status: 'good' });
  });

  it("fetches the signature time-stamp's TSA chain too: its OCSP answer is in /DSS, the level B-LT", async () => {
    const before = server.requests.length;
    const pdf = await sign(officer);
    expect(server.requests.slice(before).some((r) => (r.url ?? '').startsWith('/tsa-ocsp'))).toBe(true);
    expect(dssEntries(pdf, 'OCSPs').some((o) => o.equals(Buffer.from(tsaOcsp)))).toBe(true);
    const report = await verifyPdfSignatures(pdf, { trustAnchors: [pki.root.cert] });
    expect(report.signatures[0]?.level).toBe('B-LT');
  });

  it("extendPdf to B-LT fetches the signature time-stamp's TSA chain as well", async () => {
    const bt = await signPdf(await letterPdf(), {
      signer: signerFor(pki, officer),
      level: 'B-T',
      tsa,
      trustAnchors: pki.root.cert,
      validationData: { crls: pki.crls },
    });
    const before = server.requests.length;
    const lt = await extendPdf(bt, {
      level: 'B-LT',
      trustAnchors: pki.root.cert,
      revocation: 'fetch',
      validationData: { crls: [pki.crls[1]!] },
      timeoutInMs: 5_000,
    });
    expect(server.requests.slice(before).some((r) => (r.url ?? '').startsWith('/tsa-ocsp'))).toBe(true);
    expect(dssEntries(lt, 'OCSPs').some((o) => o.equals(Buffer.from(tsaOcsp)))).toBe(true);
    const report = await verifyPdfSignatures(lt, { trustAnchors: [pki.root.cert] });
    expect(report.signatures[0]?.level).toBe('B-LT');
  });

  it('a fetched CRL that revokes the signer refuses to sign (ERR_ESIGN_SIGNER_CERT)', async () => {
    const err = await sign(revokedOfficer).catch((e: unknown) => e);
    expect(isEsignError(err, 'ERR_ESIGN_SIGNER_CERT')).toBe(true);
    expect(server.requests.some((r) => r.url === '/ca.crl')).toBe(true);
  });

  it('an answer that is no OCSP response is not embedded; the CRL settles the status and the document verifies', async () => {
    const before = server.requests.length;
    const pdf = await sign(garbageOcspOfficer);
    expect(server.requests.slice(before).some((r) => (r.url ?? '').startsWith('/bad-ocsp'))).toBe(true);
    const embedded = [...dssEntries(pdf, 'OCSPs'), ...dssEntries(pdf, 'CRLs')];
    expect(embedded.some((e) => e.equals(Buffer.from(NOT_OCSP)))).toBe(false);
    const report = await verifyPdfSignatures(pdf, { trustAnchors: [pki.root.cert] });
    expect(report.indication).toBe('TOTAL_PASSED');
  });

  it('nor in the CMS revocationInfoArchival attribute of an adbe.pkcs7.detached signature', async () => {
    const pdf = await signPdf(await letterPdf(), {
      signer: signerFor(pki, garbageOcspOfficer),
      subFilter: 'adbe.pkcs7.detached',
      level: 'B-T',
      tsa,
      trustAnchors: pki.root.cert,
      revocation: 'fetch',
      validationData: { crls: [pki.crls[1]!] },
      timeoutInMs: 5_000,
    });
    const report = await verifyPdfSignatures(pdf, { trustAnchors: [pki.root.cert] });
    expect(report.indication, report.signatures[0]?.checks.map((c) => c.message).join('; ')).toBe(
      'TOTAL_PASSED',
    );
    expect(Buffer.from(pdf).includes(Buffer.from(NOT_OCSP))).toBe(false);
  });
});
