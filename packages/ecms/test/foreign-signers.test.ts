// Letter signatures as other agencies' saraban systems write them (Java Santuario, xmlsec1, .NET SignedXml):
// each input is a genuine signature, made here with xml-crypto or node:crypto in the shape those signers emit,
// and must verify, while the same shape altered or signed by another key must still be refused.
import { sign } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeRequest } from '../src/codec.js';
import { verifyLetterSignature } from '../src/index.js';
import { XMLDSIG } from '../src/signature/algorithms.js';
import { makeCert, standardChain, type TestCert, testKey } from './helpers/certs.js';
import { signLetterWith } from './helpers/sign.js';

let root: TestCert;
let ca: TestCert;
let signer: TestCert;
let rsaSigner: TestCert;

beforeAll(() => {
  ({ root, ca, signer } = standardChain());
  rsaSigner = makeCert({
    cn: 'Foreign RSA Signer',
    key: testKey('rsa2048', 'foreign-rsa'),
    issuer: ca,
    keyUsage: ['digitalSignature', 'nonRepudiation'],
  });
});

async function judge(doc: string | Buffer): Promise<string> {
  try {
    const check = await verifyLetterSignature(doc, { policy: 'require', trustAnchors: [root.pem] });
    return `${check.status}:${check.signer?.subject.match(/CN=([^\n,]+)/)?.[1] ?? ''}`;
  } catch (err) {
    const e = err as { code: string; reason?: string };
    return `${e.code}:${e.reason}`;
  }
}

describe('KeyInfo listing the chain in another order', () => {
  it('verifies when X509Data lists the CA before the signer (xmlsec1, some Java signers), for EC and RSA', async () => {
    for (const cert of [signer, rsaSigner]) {
      const doc = signLetterWith(cert, { keyInfoPem: ca.pem + cert.pem });
      const certs = [...doc.toString('utf8').matchAll(/<ds:X509Certificate>/g)];
      expect(certs).toHaveLength(2);
      expect(await judge(doc)).toBe(`valid:${cert === signer ? 'Saraban Signer' : 'Foreign RSA Signer'}`);
    }
  });

  it('verifies with root, CA and signer in that order, also inside a SOAP envelope', async () => {
    const doc = signLetterWith(rsaSigner, { keyInfoPem: root.pem + ca.pem + rsaSigner.pem });
    expect(await judge(doc)).toBe('valid:Foreign RSA Signer');
    const env = encodeRequest(
      { op: 'sendDocument', documentXml: doc },
      { to: 'http://n/ecms-ws01/service2' },
    );
    expect(await judge(env)).toBe('valid:Foreign RSA Signer');
  });

  it('never picks "whichever key verifies": signed by the CA key, the listed leaf is the signer and fails', async () => {
    // The CA signs with its own key and lists itself first: the leaf (rsaSigner) is the identity, not the CA.
    const byCa = signLetterWith(ca, { keyInfoPem: ca.pem + signer.pem });
    expect(await judge(byCa)).toBe('ERR_ECMS_SIGNATURE:signature-invalid');
  });

  it('an altered letter still fails with the CA listed first', async () => {
    const doc = signLetterWith(signer, { keyInfoPem: ca.pem + signer.pem }).toString('utf8');
    const tampered = doc.replace('ขอเชิญประชุม', 'ขอยกเลิกประชุม');
    expect(tampered).not.toBe(doc);
    expect(await judge(tampered)).toBe('ERR_ECMS_SIGNATURE:digest-mismatch');
  });
});

/**
 * A letter whose SignedInfo is canonicalized with inclusive C14N 1.0 (what Santuario and xmlsec1 templates write by
 * default) under a GovernmentDocument carrying `xml:lang` and `xml:space`. C14N 1.0 imports the xml: attributes of
 * the omitted ancestors onto the apex of the document subset (C14N 1.0 §2.4), so the signed SignedInfo bytes carry
 * them. The signature is made with node:crypto over those bytes, as Santuario computes them.
 */
function signedWithInheritedXmlAttributes(cert: TestCert, attrs: string): string {
  const base = signLetterWith(cert, { keyInfoPem: cert.pem + ca.pem }).toString('utf8');
  const withC14n = base
    .replace(
      '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>',
      `<ds:CanonicalizationMethod Algorithm="${XMLDSIG.c14n}"/>`,
    )
    .replace('<rsm:GovernmentDocument ', `<rsm:GovernmentDocument ${attrs} `);
  const signedInfo = /<ds:SignedInfo>[\s\S]*<\/ds:SignedInfo>/.exec(withC14n)?.[0];
  if (!signedInfo) throw new Error('no SignedInfo');
  // Inclusive C14N of SignedInfo: the namespaces in scope (ds, and those the document root declares), then the
  // imported xml: attributes (sorted by name; they follow the namespace declarations).
  const rootTag = /<rsm:GovernmentDocument [^>]*>/.exec(withC14n)?.[0] ?? '';
  const nsDecls = [...rootTag.matchAll(/xmlns:(\w+)="([^"]*)"/g)].map((m): [string, string] => [
    m[1] as string,
    m[2] as string,
  ]);
  nsDecls.push(['ds', 'http://www.w3.org/2000/09/xmldsig#']);
  nsDecls.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const xmlAttrs = [...attrs.matchAll(/xml:(\w+)="([^"]*)"/g)]
    .map((m): [string, string] => [m[1] as string, m[2] as string])
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const apex = `<ds:SignedInfo${nsDecls.map(([p, u]) => ` xmlns:${p}="${u}"`).join('')}${xmlAttrs
    .map(([n, v]) => ` xml:${n}="${v}"`)
    .join('')}>`;
  const canonical = signedInfo
    .replace('<ds:SignedInfo>', apex)
    .replace(/<(ds:\w+)([^>]*)\/>/g, '<$1$2></$1>');
  const ec = cert.key.kind === 'p256';
  const value = sign('sha256', Buffer.from(canonical, 'utf8'), {
    key: cert.key.privateKey,
    ...(ec ? { dsaEncoding: 'ieee-p1363' as const } : {}),
  }).toString('base64');
  return withC14n.replace(
    /<ds:SignatureValue>[^<]*<\/ds:SignatureValue>/,
    `<ds:SignatureValue>${value}</ds:SignatureValue>`,
  );
}

describe('inclusive C14N of SignedInfo under ancestors with xml: attributes', () => {
  it('verifies when the GovernmentDocument carries xml:lang and xml:space (RSA and EC)', async () => {
    for (const cert of [rsaSigner, signer]) {
      const doc = signedWithInheritedXmlAttributes(cert, 'xml:lang="th" xml:space="preserve"');
      expect(doc).toContain(`Algorithm="${XMLDSIG.c14n}"`);
      expect(await judge(doc)).toMatch(/^valid:/);
    }
  });

  it('refuses the same signature once the inherited attribute is changed or removed', async () => {
    const doc = signedWithInheritedXmlAttributes(rsaSigner, 'xml:lang="th"');
    expect(await judge(doc.replace('xml:lang="th"', 'xml:lang="en"'))).toBe(
      'ERR_ECMS_SIGNATURE:signature-invalid',
    );
    expect(await judge(doc.replace('xml:lang="th"', ''))).toBe('ERR_ECMS_SIGNATURE:signature-invalid');
  });
});

describe('shapes that already held (kept as regression checks)', () => {
  it('base64 broken into lines as Santuario writes it (&#13; and LF every 76 characters) verifies', async () => {
    const xml = signLetterWith(rsaSigner, {
      keyInfoPem: rsaSigner.pem + ca.pem,
      signatureAlgorithm: XMLDSIG.rsaSha512,
    }).toString('utf8');
    const wrap = (v: string) => v.replace(/(.{76})/g, '$1&#13;\n');
    const broken = xml
      .replace(/(<ds:SignatureValue>)([^<]+)/, (_m, a: string, v: string) => a + wrap(v))
      .replace(/(<ds:X509Certificate>)([^<]+)/g, (_m, a: string, v: string) => a + wrap(v));
    expect(broken).toContain('&#13;\n');
    expect(await judge(broken)).toBe('valid:Foreign RSA Signer');
  });

  it('an ECDSA value in DER form (not the r||s RFC 4051 prescribes) is refused with a reason', async () => {
    const xml = signLetterWith(signer, { keyInfoPem: signer.pem + ca.pem }).toString('utf8');
    const value = /<ds:SignatureValue>([^<]+)</.exec(xml)?.[1] ?? '';
    const raw = Buffer.from(value, 'base64');
    expect(raw).toHaveLength(64);
    const int = (b: Buffer) => {
      let v = b;
      while (v.length > 1 && v[0] === 0 && (v[1] ?? 0) < 0x80) v = v.subarray(1);
      if ((v[0] ?? 0) >= 0x80) v = Buffer.concat([Buffer.from([0]), v]);
      return Buffer.concat([Buffer.from([0x02, v.length]), v]);
    };
    const body = Buffer.concat([int(raw.subarray(0, 32)), int(raw.subarray(32))]);
    const der = Buffer.concat([Buffer.from([0x30, body.length]), body]).toString('base64');
    expect(await judge(xml.replace(value, der))).toMatch(
      /^ERR_ECMS_SIGNATURE:(signature-invalid|malformed)$/,
    );
  });

  it('KeyInfo with only a KeyValue, or only X509IssuerSerial, names no certificate: refused, never trusted', async () => {
    const xml = signLetterWith(rsaSigner, { keyInfoPem: rsaSigner.pem }).toString('utf8');
    const keyValue = xml.replace(
      /<ds:X509Data>[\s\S]*<\/ds:X509Data>/,
      '<ds:KeyValue><ds:RSAKeyValue><ds:Modulus>AQAB</ds:Modulus><ds:Exponent>AQAB</ds:Exponent></ds:RSAKeyValue></ds:KeyValue>',
    );
    const issuerSerial = xml.replace(
      /<ds:X509Certificate>[^<]*<\/ds:X509Certificate>/,
      `<ds:X509IssuerSerial><ds:X509IssuerName>CN=Test Issuing CA</ds:X509IssuerName><ds:X509SerialNumber>${BigInt(`0x${rsaSigner.x509.serialNumber}`)}</ds:X509SerialNumber></ds:X509IssuerSerial>`,
    );
    for (const doc of [keyValue, issuerSerial]) {
      expect(doc).not.toBe(xml);
      expect(await judge(doc)).toBe('ERR_ECMS_SIGNATURE:no-certificate');
    }
  });
});
