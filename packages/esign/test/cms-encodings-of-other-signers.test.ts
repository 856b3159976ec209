// CMS encodings other signers write (Windows CryptoAPI, Acrobat, iText, PDFBox, pyHanko, HSM-backed signers),
// made here from OpenSSL's `cms -sign` output respelled byte by byte (helpers/ber.ts); where the spelling
// changes what the signature covers (the signed attributes), the attributes are signed again with the
// signer's key over exactly the bytes sent, as RFC 5652 §5.4 asks. A valid signature must verify, and a
// change to what was signed must still fail.
import { createHash, KeyObject, sign } from 'node:crypto';
import { OID } from '@thgov/pki/internal';
import { requireTool } from '@thgov/testkit';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { expect, it } from 'vitest';
import type { CheckResult, VerificationReport } from '../src/verify/report.js';
import { verifyPdfSignatures } from '../src/verify/verify-pdf.js';
import {
  cons,
  parseTlv,
  prim,
  type SignedDataTlv,
  signedAttrsAsSet,
  signedDataParts,
  type Tlv,
  writeTlv,
} from './helpers/ber.js';
import { type CmsMaker, foreignSign, opensslCms } from './helpers/foreign-signer.js';
import { createSigningPki, type Identity, issue, letterPdf } from './helpers/pki.js';

const pki = await createSigningPki();
const letter = await letterPdf();
const chain = [pki.ca.cert];
const verify = (pdf: Uint8Array) =>
  verifyPdfSignatures(pdf, { trustAnchors: [pki.root.cert], revocation: { crls: pki.crls } });
const step7 = (r: VerificationReport): CheckResult => r.signatures[0]!.checks.find((c) => c.step === 7)!;

function failures(r: VerificationReport): string[] {
  return [...r.checks, ...r.signatures.flatMap((s) => s.checks)]
    .filter((c) => c.status !== 'PASSED' && c.step !== 9)
    .map((c) => `${c.step}: ${c.subIndication} ${c.message}`);
}

async function expectValid(pdf: Uint8Array): Promise<VerificationReport> {
  const r = await verify(pdf);
  expect(r.indication, failures(r).join('\n')).toBe('TOTAL_PASSED');
  expect(r.signatures[0]!.signer?.subject).toContain('Test Officer');
  return r;
}

/** `pdf` with one signed byte changed (in the binary comment after the header, so it still parses). */
function tampered(pdf: Uint8Array): Uint8Array {
  const out = Buffer.from(pdf);
  const at = 10;
  out[at] = (out[at] ?? 0) ^ 1;
  return new Uint8Array(out);
}

/** OpenSSL's CMS for `signer` respelled by `edit`, which gets its parts and returns the ContentInfo to write. */
const respelled =
  (
    edit: (p: SignedDataTlv) => Tlv | undefined,
    signer: Identity = pki.officer,
    args: string[] = [],
  ): CmsMaker =>
  (data) => {
    const p = signedDataParts(opensslCms(signer, chain, ['-nosmimecap', ...args])(data));
    return new Uint8Array(writeTlv(edit(p) ?? p.contentInfo));
  };

const oidContent = (oid: string) =>
  Buffer.from(new asn1js.ObjectIdentifier({ value: oid }).toBER(false)).subarray(2);
const attrOid = (a: Tlv) =>
  (asn1js.fromBER(writeTlv(a.children![0]!)).result as asn1js.ObjectIdentifier).getValue();
const attribute = (oid: string, ...values: Tlv[]): Tlv =>
  cons(0x30, [prim(0x06, oidContent(oid)), cons(0x31, values)]);
const der = (b: asn1js.BaseBlock): Tlv => parseTlv(new Uint8Array(b.toBER(false)));

/** Signs `p`'s signed attributes again, over their bytes as they will be sent, with `signer`'s key. */
function resign(p: SignedDataTlv, signer: Identity = pki.officer, hash = 'sha256'): void {
  const key = KeyObject.from(signer.key as never);
  p.signature.content = sign(hash, signedAttrsAsSet(p.signedAttrs!), key);
}

/** ESS signing-certificate (v1: SHA-1 ESSCertID) naming `cert`. */
const essV1 = (cert: Uint8Array): Tlv =>
  cons(0x30, [cons(0x30, [cons(0x30, [prim(0x04, createHash('sha1').update(cert).digest())])])]);
/** ESS signing-certificate-v2 (SHA-256, default hashAlgorithm) naming `cert`. */
const essV2 = (cert: Uint8Array): Tlv =>
  cons(0x30, [cons(0x30, [cons(0x30, [prim(0x04, createHash('sha256').update(cert).digest())])])]);

/** Every constructed TLV on the way to the SignerInfo with indefinite length, as CryptoAPI writes a CMS. */
function indefinite(p: SignedDataTlv): Tlv {
  for (const t of [p.contentInfo, p.explicit, p.signedData, p.digestAlgorithms, p.encap, p.signerInfos])
    t.length = 'indefinite';
  if (p.certificates) p.certificates.length = 'indefinite';
  p.signerInfo.length = 'indefinite';
  p.sid.length = 'indefinite';
  p.digestAlgorithm.length = 'indefinite';
  p.signatureAlgorithm.length = 'indefinite';
  return p.contentInfo;
}

/** `octets` as a constructed OCTET STRING of primitive chunks (BER), indefinite when told. */
function constructedOctets(t: Tlv, chunk: number, length?: 'indefinite'): void {
  const bytes = t.content!;
  const parts: Tlv[] = [];
  for (let i = 0; i < bytes.length; i += chunk) parts.push(prim(0x04, bytes.subarray(i, i + chunk)));
  Object.assign(t, cons(0x24, parts, length));
  delete t.content;
}

const openssl = requireTool('pdfsig', {
  why: "openssl makes the other signers' CMS these tests respell (part of the pdfsig tool set)",
});

openssl.describe('BER, not DER: indefinite lengths and constructed OCTET STRINGs', () => {
  it('indefinite-length ContentInfo, SignedData and SignerInfo (CryptoAPI) verify; a changed byte fails', async () => {
    const pdf = foreignSign(letter, respelled(indefinite));
    await expectValid(pdf);
    expect(step7(await verify(tampered(pdf)))).toMatchObject({
      status: 'FAILED',
      subIndication: 'HASH_FAILURE',
    });
  });

  it('the signature value as a constructed OCTET STRING verifies; a changed chunk fails', async () => {
    await expectValid(
      foreignSign(
        letter,
        respelled((p) => {
          indefinite(p);
          constructedOctets(p.signature, 100, 'indefinite');
          return undefined;
        }),
      ),
    );
    await expectValid(
      foreignSign(
        letter,
        respelled((p) => void constructedOctets(p.signature, 64)),
      ),
    );
    const changed = foreignSign(
      letter,
      respelled((p) => {
        constructedOctets(p.signature, 64);
        const c = p.signature.children![1]!.content!;
        c[3] = (c[3] ?? 0) ^ 1;
        return undefined;
      }),
    );
    expect(step7(await verify(changed))).toMatchObject({
      status: 'FAILED',
      subIndication: 'SIG_CRYPTO_FAILURE',
    });
  });

  it('a messageDigest written as a constructed OCTET STRING (signed as sent) verifies', async () => {
    const pdf = foreignSign(
      letter,
      respelled((p) => {
        const md = p.signedAttrs!.children!.find((a) => attrOid(a) === OID.messageDigest)!;
        constructedOctets(md.children![1]!.children![0]!, 16);
        resign(p);
        return undefined;
      }),
    );
    await expectValid(pdf);
    expect(step7(await verify(tampered(pdf)))).toMatchObject({
      status: 'FAILED',
      subIndication: 'HASH_FAILURE',
    });
  });
});

openssl.describe('signed attributes hashed as sent (RFC 5652 §5.4), not as re-encoded', () => {
  const reversed = (p: SignedDataTlv) => p.signedAttrs!.children!.reverse();

  it('attributes not in DER SET OF order, signed in that order, verify', async () => {
    await expectValid(
      foreignSign(
        letter,
        respelled((p) => {
          reversed(p);
          resign(p);
          return undefined;
        }),
      ),
    );
  });

  it('attributes reordered after signing (the DER order was signed) fail', async () => {
    const r = await verify(
      foreignSign(
        letter,
        respelled((p) => void reversed(p)),
      ),
    );
    expect(step7(r)).toMatchObject({ status: 'FAILED', subIndication: 'SIG_CRYPTO_FAILURE' });
  });

  it('non-minimal lengths in the attributes, signed as sent, verify; the same bytes signed as DER fail', async () => {
    const longForm = (p: SignedDataTlv) => {
      p.signedAttrs!.length = 3;
      for (const a of p.signedAttrs!.children!) {
        a.length = 2;
        a.children![1]!.length = 1;
      }
    };
    await expectValid(
      foreignSign(
        letter,
        respelled((p) => {
          longForm(p);
          resign(p);
          return undefined;
        }),
      ),
    );
    const r = await verify(
      foreignSign(
        letter,
        respelled((p) => void longForm(p)),
      ),
    );
    expect(step7(r)).toMatchObject({ status: 'FAILED', subIndication: 'SIG_CRYPTO_FAILURE' });
  });
});

openssl.describe('the certificate set', () => {
  it('an `other` certificate format ([3]) and the signer last, among unrelated certificates, verify', async () => {
    const other = cons(0xa3, [prim(0x06, oidContent('1.2.3.4.5')), prim(0x04, Buffer.from('opaque'))]);
    await expectValid(
      foreignSign(
        letter,
        respelled((p) => {
          const certs = p.certificates!.children!;
          certs.reverse();
          certs.unshift(other);
          return undefined;
        }),
      ),
    );
  });
});

openssl.describe('ECDSA signature values as HSMs write them', () => {
  const ecdsa = async (serial: number) => {
    const keyPair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
      'sign',
      'verify',
    ])) as never;
    return issue(pki.now, 'Test Officer EC', serial, pki.ca, {
      keyUsage: ['digitalSignature', 'nonRepudiation'],
      keyPair,
    });
  };

  /** The ECDSA-Sig-Value's r and s rewritten by `spell`, the attributes signed again by `ec` when told. */
  const respellRs = (ec: Identity, spell: (v: Buffer) => Buffer, resignUntil?: (rs: Buffer[]) => boolean) =>
    respelled((p) => {
      if (resignUntil) {
        const key = KeyObject.from(ec.key as never);
        do
          p.signature.content = sign('sha256', signedAttrsAsSet(p.signedAttrs!), { key, dsaEncoding: 'der' });
        while (!resignUntil(parseTlv(p.signature.content).children!.map((i) => i.content!)));
      }
      const sig = parseTlv(p.signature.content!);
      for (const i of sig.children!) i.content = spell(i.content!);
      p.signature.content = writeTlv(sig);
      return undefined;
    }, ec);

  it('r and s with superfluous leading zero octets (non-minimal INTEGERs) verify; a changed r fails', async () => {
    const ec = await ecdsa(601);
    const padded = (v: Buffer) => Buffer.concat([Buffer.from([0, 0]), v]);
    const r = await verify(foreignSign(letter, respellRs(ec, padded)));
    expect(step7(r), failures(r).join('\n')).toMatchObject({ status: 'PASSED' });
    let first = true;
    const changed = (v: Buffer) => {
      const out = padded(v);
      if (first) out[out.length - 1] = (out[out.length - 1] ?? 0) ^ 1;
      first = false;
      return out;
    };
    const bad = await verify(foreignSign(letter, respellRs(ec, changed)));
    expect(step7(bad)).toMatchObject({ status: 'FAILED', subIndication: 'SIG_CRYPTO_FAILURE' });
  });

  it('r or s with a high first bit written without its zero octet (a "negative" INTEGER) verifies', async () => {
    const ec = await ecdsa(603);
    const stripped = (v: Buffer) => (v[0] === 0 ? v.subarray(1) : v);
    const highBit = (rs: Buffer[]) => rs.some((v) => v[0] === 0);
    const r = await verify(foreignSign(letter, respellRs(ec, stripped, highBit)));
    expect(step7(r), failures(r).join('\n')).toMatchObject({ status: 'PASSED' });
  });

  it('a raw r||s value (PKCS#11 CKM_ECDSA output put in as is) is refused clearly', async () => {
    const ec = await ecdsa(602);
    const pdf = foreignSign(
      letter,
      respelled((p) => {
        const sig = parseTlv(p.signature.content!);
        p.signature.content = Buffer.concat(
          sig.children!.map((i) => {
            const v = i.content!;
            return Buffer.concat([Buffer.alloc(32), v]).subarray(-32);
          }),
        );
        return undefined;
      }, ec),
    );
    const c = step7(await verify(pdf));
    expect(c).toMatchObject({ status: 'FAILED', subIndication: 'SIG_CRYPTO_FAILURE' });
    expect(c.message).toMatch(/ECDSA-Sig-Value|DER SEQUENCE|r\|\|s|raw/i);
  });
});

openssl.describe('algorithm identifiers as other signers write them', () => {
  const sha512 = () => der(new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha512 }).toSchema());

  it('a digestAlgorithms set naming another digest than the SignerInfo verifies', async () => {
    await expectValid(
      foreignSign(
        letter,
        respelled((p) => {
          p.digestAlgorithms.children = [sha512()];
          return undefined;
        }),
      ),
    );
  });

  it('digest algorithm with or without NULL parameters, and sha256WithRSAEncryption as signature algorithm', async () => {
    const withNull = der(
      new pkijs.AlgorithmIdentifier({
        algorithmId: OID.sha256,
        algorithmParams: new asn1js.Null(),
      }).toSchema(),
    );
    const bare = der(new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 }).toSchema());
    const sha256WithRsa = der(
      new pkijs.AlgorithmIdentifier({
        algorithmId: '1.2.840.113549.1.1.11',
        algorithmParams: new asn1js.Null(),
      }).toSchema(),
    );
    for (const digestAlgorithm of [withNull, bare])
      await expectValid(
        foreignSign(
          letter,
          respelled((p) => {
            Object.assign(p.digestAlgorithm, digestAlgorithm);
            Object.assign(p.signatureAlgorithm, sha256WithRsa);
            return undefined;
          }),
        ),
      );
  });
});

openssl.describe('attributes other signers add', () => {
  it('unknown signed and unsigned attributes are ignored', async () => {
    const unknown = attribute('1.3.6.1.4.1.311.2.4.1', prim(0x0c, Buffer.from('vendor')));
    await expectValid(
      foreignSign(
        letter,
        respelled((p) => {
          p.signedAttrs!.children!.push(unknown);
          resign(p);
          p.signerInfo.children!.push(cons(0xa1, [unknown]));
          return undefined;
        }),
      ),
    );
  });

  it('ESS signing-certificate v1 (SHA-1) instead of v2 verifies; v1 naming another certificate fails', async () => {
    const withV1 = (cert: Uint8Array) =>
      respelled((p) => {
        p.signedAttrs!.children!.push(attribute(OID.signingCertificate, essV1(cert)));
        resign(p);
        return undefined;
      });
    await expectValid(foreignSign(letter, withV1(pki.officer.cert)));
    const r = await verify(foreignSign(letter, withV1(pki.director.cert)));
    expect(step7(r)).toMatchObject({
      status: 'INDETERMINATE',
      subIndication: 'NO_SIGNING_CERTIFICATE_FOUND',
    });
  });

  it('v1 and v2 both present: agreeing verifies, either one naming another certificate fails', async () => {
    const both = (v1: Uint8Array, v2: Uint8Array) =>
      respelled((p) => {
        p.signedAttrs!.children!.push(
          attribute(OID.signingCertificate, essV1(v1)),
          attribute(OID.signingCertificateV2, essV2(v2)),
        );
        resign(p);
        return undefined;
      });
    await expectValid(foreignSign(letter, both(pki.officer.cert, pki.officer.cert)));
    for (const [v1, v2] of [
      [pki.director.cert, pki.officer.cert],
      [pki.officer.cert, pki.director.cert],
    ] as const) {
      const r = await verify(foreignSign(letter, both(v1, v2)));
      expect(step7(r), `v1 ${v1 === pki.officer.cert}`).toMatchObject({
        status: 'INDETERMINATE',
        subIndication: 'NO_SIGNING_CERTIFICATE_FOUND',
      });
    }
  });

  it('two signing-certificate-v2 attributes naming different certificates fail', async () => {
    const r = await verify(
      foreignSign(
        letter,
        respelled((p) => {
          p.signedAttrs!.children!.push(
            attribute(OID.signingCertificateV2, essV2(pki.officer.cert)),
            attribute(OID.signingCertificateV2, essV2(pki.director.cert)),
          );
          resign(p);
          return undefined;
        }),
      ),
    );
    expect(step7(r).status).not.toBe('PASSED');
  });
});

// ESSCertID(v2)'s optional issuerSerial (RFC 2634 §5.4.1, RFC 5035), which OpenSSL's `-cades`, Java and .NET
// signers write beside the hash. Before: only the hash was compared, so an attribute whose issuerSerial named
// another certificate (another serial, or another CA's name) still named the signer. OpenSSL and pyHanko refuse
// such an attribute; the issuer is compared as a name (RFC 5280 rules), not as bytes.
openssl.describe('ESS issuerSerial', () => {
  /** The certificate's serial INTEGER and issuer Name, as TLVs of its tbsCertificate. */
  const tbsParts = (cert: Uint8Array) => {
    const tbs = parseTlv(cert).children![0]!;
    const at = tbs.children![0]!.tag[0] === 0xa0 ? 1 : 0;
    return { serial: tbs.children![at]!, issuer: tbs.children![at + 2]!, subject: tbs.children![at + 4]! };
  };
  /** IssuerSerial ::= SEQUENCE { issuer GeneralNames (one directoryName), serialNumber INTEGER }. */
  const issuerSerial = (name: Tlv, serial: Tlv): Tlv =>
    cons(0x30, [cons(0x30, [cons(0xa4, [name])]), serial]);
  const essWith = (v2: boolean, cert: Uint8Array, is: Tlv): Tlv =>
    cons(0x30, [
      cons(0x30, [
        cons(0x30, [
          prim(
            0x04,
            createHash(v2 ? 'sha256' : 'sha1')
              .update(cert)
              .digest(),
          ),
          is,
        ]),
      ]),
    ]);
  const signWith = (v2: boolean, is: Tlv) =>
    foreignSign(
      letter,
      respelled((p) => {
        p.signedAttrs!.children!.push(
          attribute(
            v2 ? OID.signingCertificateV2 : OID.signingCertificate,
            essWith(v2, pki.officer.cert, is),
          ),
        );
        resign(p);
        return undefined;
      }),
    );
  /** The Name with every UTF8String of printable ASCII respelled as a PrintableString (the same name). */
  const respelledName = (t: Tlv): Tlv => {
    if (t.children) return { ...t, children: t.children.map(respelledName) };
    if (t.tag[0] === 0x0c && /^[A-Za-z0-9 '()+,./:=?-]*$/.test(t.content!.toString('latin1')))
      return prim(0x13, t.content!);
    return t;
  };
  const officer = tbsParts(pki.officer.cert);
  const director = tbsParts(pki.director.cert);

  it.each([true, false])(
    'naming the signer verifies (v2: %s), also with its issuer spelled otherwise',
    async (v2) => {
      await expectValid(signWith(v2, issuerSerial(officer.issuer, officer.serial)));
      const other = respelledName(officer.issuer);
      expect(writeTlv(other).equals(writeTlv(officer.issuer))).toBe(false);
      await expectValid(signWith(v2, issuerSerial(other, officer.serial)));
    },
  );

  it.each([
    ['another serial number', () => issuerSerial(officer.issuer, director.serial)],
    ['another issuer name', () => issuerSerial(officer.subject, officer.serial)],
    [
      'a serial padded to another integer',
      () =>
        issuerSerial(officer.issuer, prim(0x02, Buffer.concat([Buffer.from([1]), officer.serial.content!]))),
    ],
    [
      'no directoryName',
      () => cons(0x30, [cons(0x30, [prim(0x86, Buffer.from('https://ca.example/'))]), officer.serial]),
    ],
    ['a malformed IssuerSerial', () => cons(0x30, [officer.serial])],
  ])('an issuerSerial with %s: the hash alone does not name the signer', async (_what, is) => {
    for (const v2 of [true, false]) {
      const r = await verify(signWith(v2, is()));
      expect(step7(r), `v2 ${v2}`).toMatchObject({
        status: 'INDETERMINATE',
        subIndication: 'NO_SIGNING_CERTIFICATE_FOUND',
      });
    }
  });
});
