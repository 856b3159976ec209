// RSASSA-PSS (RFC 4055) as other CAs, TSAs and signers write it: the parameters name the hash, the mask
// generation function with its own hash, and the salt length. A verifier that misreads them either refuses
// every PSS signature (a fidelity fault: the path of a CA that signs with PSS never validates) or, worse,
// checks the signature under other parameters than the ones it declares.
import { webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import { signatureScheme } from '../src/algorithms.js';
import type { CryptoKey } from '../src/crypto-types.js';
import { validateCertificatePath } from '../src/index.js';
import { expectOutcome } from './helpers/expect.js';
import { CA_USAGE, createHierarchy, issue, SIGNER_USAGE } from './helpers/hierarchy.js';

const h = await createHierarchy();
const now = h.now;

async function pssKeyPair(hash: 'SHA-256' | 'SHA-384' = 'SHA-256') {
  return (await webcrypto.subtle.generateKey(
    { name: 'RSA-PSS', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash },
    true,
    ['sign', 'verify'],
  )) as { publicKey: CryptoKey; privateKey: CryptoKey };
}

/** An AlgorithmIdentifier read from hex DER, as a parsed certificate or SignerInfo holds it. */
function algorithm(hex: string): pkijs.AlgorithmIdentifier {
  return new pkijs.AlgorithmIdentifier({
    schema: asn1js.fromBER(Buffer.from(hex.replace(/\s/g, ''), 'hex')).result,
  });
}

// Pieces of DER, so that each case below says exactly which parameter it changes.
const PSS_OID = '06092a864886f70d01010a';
const SHA256 = '300d06096086480165030402010500';
const SHA256_NO_NULL = '300b0609608648016503040201';
const SHA384 = '300d06096086480165030402020500';
const MGF1 = (hash: string) => {
  const body = `06092a864886f70d010108${hash}`;
  return `30${(body.length / 2).toString(16).padStart(2, '0')}${body}`;
};
const tagged = (tag: string, body: string) =>
  `${tag}${(body.length / 2).toString(16).padStart(2, '0')}${body}`;
const pss = (...fields: string[]) => {
  const params = tagged('30', fields.join(''));
  return tagged('30', `${PSS_OID}${params}`);
};
const salt = (n: number) => tagged('a2', `0201${n.toString(16).padStart(2, '0')}`);

describe('RSASSA-PSS parameters', () => {
  it('reads the hash, MGF1 hash and salt length, with or without NULL hash parameters', () => {
    expect(
      signatureScheme(algorithm(pss(tagged('a0', SHA256), tagged('a1', MGF1(SHA256)), salt(32)))),
    ).toEqual({
      family: 'rsa-pss',
      hash: 'sha256',
      saltLength: 32,
    });
    // OpenSSL's "max" salt for a 2048-bit key and SHA-256.
    expect(
      signatureScheme(
        algorithm(
          pss(tagged('a0', SHA256_NO_NULL), tagged('a1', MGF1(SHA256_NO_NULL)), tagged('a2', '020200de')),
        ),
      ),
    ).toEqual({ family: 'rsa-pss', hash: 'sha256', saltLength: 222 });
    expect(
      signatureScheme(algorithm(pss(tagged('a0', SHA384), tagged('a1', MGF1(SHA384)), salt(48)))),
    ).toEqual({
      family: 'rsa-pss',
      hash: 'sha384',
      saltLength: 48,
    });
  });

  it('all defaults mean SHA-1, MGF1 with SHA-1 and a 20-byte salt (left to the policy to refuse)', () => {
    expect(signatureScheme(algorithm(pss()))).toEqual({ family: 'rsa-pss', hash: 'sha1', saltLength: 20 });
  });

  it('refuses what node:crypto cannot check faithfully: another MGF hash, another MGF, another trailer', () => {
    expect(signatureScheme(algorithm(pss(tagged('a0', SHA256), tagged('a1', MGF1(SHA384)), salt(32))))).toBe(
      undefined,
    );
    const notMgf1 = tagged('30', `06092a864886f70d010109${SHA256}`);
    expect(signatureScheme(algorithm(pss(tagged('a0', SHA256), tagged('a1', notMgf1), salt(32))))).toBe(
      undefined,
    );
    const trailer2 = tagged('a3', '020102');
    expect(
      signatureScheme(algorithm(pss(tagged('a0', SHA256), tagged('a1', MGF1(SHA256)), salt(32), trailer2))),
    ).toBe(undefined);
    // Absent parameters are not the defaults: RFC 4055 requires the SEQUENCE.
    expect(signatureScheme(algorithm(tagged('30', PSS_OID)))).toBe(undefined);
  });
});

describe('a path signed with RSASSA-PSS', () => {
  const make = async () => {
    const pssCa = await issue(now, 'PSS CA', 70, h.root, { ...CA_USAGE, keyPair: await pssKeyPair() });
    const leaf = await issue(now, 'PSS leaf', 71, pssCa, SIGNER_USAGE);
    return {
      pssCa,
      leaf,
      opts: { trustAnchors: h.root.cert, intermediates: [pssCa.cert], revocation: false as const },
    };
  };

  it('validates: the CA signs its certificate with PSS (SHA-256, MGF1-SHA-256, 32-byte salt)', async () => {
    const { leaf, opts } = await make();
    expect(Buffer.from(leaf.cert).includes(Buffer.from(PSS_OID, 'hex'))).toBe(true);
    expectOutcome(await validateCertificatePath(leaf.cert, opts), 'PASSED');
  });

  it('a CRL the CA signs with PSS is usable revocation evidence', async () => {
    const { pssCa, leaf, opts } = await make();
    const r = await validateCertificatePath(leaf.cert, {
      ...opts,
      revocation: { crls: [await h.crl(pssCa), await h.crl(h.root)], required: true },
    });
    expectOutcome(r, 'PASSED');
    expect(r.revocation[0]).toMatchObject({ status: 'good', decidedBy: { type: 'crl', usable: true } });
  });

  it('fails when the declared salt length is not the one the signature used', async () => {
    const { leaf, opts } = await make();
    const der = Buffer.from(leaf.cert);
    // The outer signatureAlgorithm follows the TBSCertificate: change its salt length only (32 → 20).
    const at = der.lastIndexOf(Buffer.from(salt(32), 'hex'));
    expect(at).toBeGreaterThan(0);
    der[at + 4] = 20;
    const r = await validateCertificatePath(new Uint8Array(der), opts);
    expect(r.indication).not.toBe('PASSED');
  });
});
