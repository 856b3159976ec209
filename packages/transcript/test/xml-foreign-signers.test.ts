/**
 * Transcript XML-DSig as other registrars' stacks (Santuario, xmlsec1, .NET SignedXml) canonicalize it: the
 * signature is genuine (xml-crypto's references, the SignedInfo bytes those signers compute, signed with
 * node:crypto) and must verify; the same signature over other bytes must not.
 */
import { createPrivateKey, sign } from 'node:crypto';
import { registerXmlDsigAlgorithms } from '@thgov/pki/internal';
import { describe, expect, it } from 'vitest';
import { SignedXml } from 'xml-crypto';
import { exportPkcs8Pem, toPem } from '../src/index.js';
import { checkXml } from '../src/xml/check-xml.js';
import { SAMPLE_XML } from './fixtures/generate.js';
import { createTestPki, type TestIdentity } from './helpers/pki.js';
import { xmlSigned } from './helpers/xml-dsig.js';

const pki = await createTestPki();
const opts = { maxBytes: 5 * 1024 * 1024, maxDepth: 64, strict: true, pdfSigner: pki.signer.cert };
const C14N = 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315';
const EXC = 'http://www.w3.org/2001/10/xml-exc-c14n#';

/**
 * A transcript whose root carries `attrs` (xml:lang, xml:space) and whose SignedInfo is canonicalized with
 * inclusive C14N 1.0, the default of Santuario's and xmlsec1's templates. C14N 1.0 imports the xml: attributes of
 * the omitted ancestors onto the apex (C14N 1.0 §2.4): the root's xml:lang is in the signed SignedInfo bytes.
 */
async function signedUnderXmlAttributes(id: TestIdentity, attrs: string): Promise<string> {
  const xml = SAMPLE_XML.replace(
    '<Transcript xmlns="urn:example:transcript:1">',
    `<Transcript xmlns="urn:example:transcript:1" ${attrs}>`,
  );
  const signed = (await xmlSigned(xml, id)).replace(
    `<CanonicalizationMethod Algorithm="${EXC}"/>`,
    `<CanonicalizationMethod Algorithm="${C14N}"/>`,
  );
  const signedInfo = /<SignedInfo>[\s\S]*<\/SignedInfo>/.exec(signed)?.[0];
  if (!signedInfo || !signed.includes(C14N)) throw new Error('unexpected signature shape');
  const xmlAttrs = [...attrs.matchAll(/xml:(\w+)="([^"]*)"/g)]
    .sort((a, b) => ((a[1] as string) < (b[1] as string) ? -1 : 1))
    .map((m) => ` xml:${m[1]}="${m[2]}"`)
    .join('');
  const canonical = signedInfo
    .replace('<SignedInfo>', `<SignedInfo xmlns="http://www.w3.org/2000/09/xmldsig#"${xmlAttrs}>`)
    .replace(/<(\w+)([^>]*)\/>/g, '<$1$2></$1>');
  const key = createPrivateKey(await exportPkcs8Pem(id.key));
  const value = sign('sha256', Buffer.from(canonical, 'utf8'), key).toString('base64');
  return signed.replace(
    /<SignatureValue>[^<]*<\/SignatureValue>/,
    `<SignatureValue>${value}</SignatureValue>`,
  );
}

describe('inclusive C14N of SignedInfo under a root with xml: attributes', () => {
  it('verifies a Thai transcript whose root carries xml:lang="th" and xml:space', async () => {
    for (const attrs of ['xml:lang="th"', 'xml:space="preserve" xml:lang="th"']) {
      const xml = await signedUnderXmlAttributes(pki.signer, attrs);
      const r = await checkXml(Buffer.from(xml), opts);
      expect(r.status, `${attrs}: ${r.message}`).toBe('PASSED');
    }
  });

  it('fails the same signature once the inherited attribute is changed or removed', async () => {
    const xml = await signedUnderXmlAttributes(pki.signer, 'xml:lang="th"');
    for (const changed of [
      xml.replace('xml:lang="th"', 'xml:lang="en"'),
      xml.replace(' xml:lang="th"', ''),
    ]) {
      const r = await checkXml(Buffer.from(changed), opts);
      expect(r.status).toBe('FAILED');
      expect(r.subIndication).toBe('SIG_CRYPTO_FAILURE');
    }
  });
});

/**
 * A transcript signed as Santuario and WSS4J write it: `ds:`-prefixed, with an exclusive C14N SignedInfo whose
 * `InclusiveNamespaces PrefixList="#default"` makes the default namespace in scope (the transcript's own, from the
 * root) part of the signed SignedInfo bytes (Exc-C14N §3). References are xml-crypto's; the SignedInfo bytes are
 * written out here and signed with node:crypto.
 */
async function signedWithDefaultPrefixList(id: TestIdentity): Promise<string> {
  const sx = registerXmlDsigAlgorithms(
    new SignedXml({
      privateKey: await exportPkcs8Pem(id.key),
      publicCert: toPem(id.cert),
      signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
      canonicalizationAlgorithm: EXC,
    }),
    { sha1: false },
  );
  sx.addReference({
    xpath: '/*',
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', EXC],
    isEmptyUri: true,
  });
  sx.computeSignature(SAMPLE_XML.replace(/^<\?xml[^>]*>\s*/, ''), { prefix: 'ds' });
  const inclusive = `<ec:InclusiveNamespaces xmlns:ec="${EXC}" PrefixList="#default"/>`;
  const signed = sx
    .getSignedXml()
    .replace(
      `<ds:CanonicalizationMethod Algorithm="${EXC}"/>`,
      `<ds:CanonicalizationMethod Algorithm="${EXC}">${inclusive}</ds:CanonicalizationMethod>`,
    );
  const signedInfo = /<ds:SignedInfo>[\s\S]*<\/ds:SignedInfo>/.exec(signed)?.[0];
  if (!signedInfo || !signed.includes('PrefixList')) throw new Error('unexpected signature shape');
  const canonical = signedInfo
    .replace(
      '<ds:SignedInfo>',
      '<ds:SignedInfo xmlns="urn:example:transcript:1" xmlns:ds="http://www.w3.org/2000/09/xmldsig#">',
    )
    .replace(/<([\w:]+)([^>]*)\/>/g, '<$1$2></$1>');
  const key = createPrivateKey(await exportPkcs8Pem(id.key));
  const value = sign('sha256', Buffer.from(canonical, 'utf8'), key).toString('base64');
  return signed.replace(
    /<ds:SignatureValue>[^<]*<\/ds:SignatureValue>/,
    `<ds:SignatureValue>${value}</ds:SignatureValue>`,
  );
}

describe('exclusive C14N of SignedInfo with InclusiveNamespaces PrefixList="#default"', () => {
  it('verifies: the default namespace in scope is part of the signed SignedInfo', async () => {
    const xml = await signedWithDefaultPrefixList(pki.signer);
    expect(xml).toContain('PrefixList="#default"');
    const r = await checkXml(Buffer.from(xml), opts);
    expect(r.status, r.message).toBe('PASSED');
  });

  it('fails once the transcript or the default namespace is changed', async () => {
    const xml = await signedWithDefaultPrefixList(pki.signer);
    for (const changed of [
      xml.replace('3.75', '4.00'),
      xml.replace('xmlns="urn:example:transcript:1"', 'xmlns="urn:example:transcript:2"'),
    ]) {
      expect(changed).not.toBe(xml);
      const r = await checkXml(Buffer.from(changed), opts);
      expect(r.status).toBe('FAILED');
      expect(r.subIndication).toBe('SIG_CRYPTO_FAILURE');
    }
  });
});
