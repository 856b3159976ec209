import { constants, createHash, generateKeyPairSync, type KeyObject, verify } from 'node:crypto';
import { inspect } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isEsignError, pkcs11Signer, type SignatureAlgorithm, type Signer } from '../src/index.js';
import { issueCertificate, type TestCertificate } from './helpers/certificate.js';
import { createSoftHsmToken, type SoftHsmToken, softhsm } from './helpers/softhsm.js';

const PIN = '731904';
const DATA = Buffer.from('หนังสือราชการ ที่ สพร 0001/2569 — signed on a PKCS#11 token');

interface Keys {
  ca: TestCertificate;
  rsa: { key: KeyObject; cert: TestCertificate };
  ec256: { key: KeyObject; cert: TestCertificate };
  ec384: { key: KeyObject; cert: TestCertificate };
}

function makeKeys(): Keys {
  const caKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ca = issueCertificate({
    subject: 'Test Issuing CA',
    publicKey: caKey.publicKey,
    signingKey: caKey.privateKey,
    serial: 1,
    ca: true,
  });
  const leaf = (subject: string, serial: number, pair: { publicKey: KeyObject; privateKey: KeyObject }) => ({
    key: pair.privateKey,
    cert: issueCertificate({
      subject,
      publicKey: pair.publicKey,
      issuer: ca,
      signingKey: caKey.privateKey,
      serial,
    }),
  });
  return {
    ca,
    rsa: leaf('Officer RSA', 10, generateKeyPairSync('rsa', { modulusLength: 2048 })),
    ec256: leaf('Officer P-256', 11, generateKeyPairSync('ec', { namedCurve: 'P-256' })),
    ec384: leaf('Officer P-384', 12, generateKeyPairSync('ec', { namedCurve: 'P-384' })),
  };
}

const nodeHash = (a: SignatureAlgorithm) => a.digest.replace('-', '').toLowerCase();
const digestOf = (a: SignatureAlgorithm) => new Uint8Array(createHash(nodeHash(a)).update(DATA).digest());

/** The independent check: node:crypto verifies over the data, with the certificate's public key. */
function verifiesWith(cert: TestCertificate, a: SignatureAlgorithm, signature: Uint8Array): boolean {
  const key = cert.x509.publicKey;
  if (a.scheme === 'RSA-PSS') {
    const saltLength = digestOf(a).length;
    return verify(
      nodeHash(a),
      DATA,
      { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength },
      signature,
    );
  }
  if (a.scheme === 'ECDSA') return verify(nodeHash(a), DATA, { key, dsaEncoding: 'der' }, signature);
  return verify(nodeHash(a), DATA, key, signature);
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

softhsm.describe('pkcs11Signer on a real SoftHSM2 token', () => {
  let token: SoftHsmToken;
  let keys: Keys;
  const open: Signer[] = [];
  const signerFor = async (o: Partial<Parameters<typeof pkcs11Signer>[0]>) => {
    const s = await pkcs11Signer({
      library: token.library,
      tokenLabel: token.label,
      pin: PIN,
      ...o,
    } as Parameters<typeof pkcs11Signer>[0]);
    open.push(s);
    return s;
  };

  beforeAll(async () => {
    keys = makeKeys();
    token = createSoftHsmToken('thgov-esign-test', PIN);
    const pem = (k: KeyObject) => k.export({ format: 'pem', type: 'pkcs8' }).toString();
    token.importKey(pem(keys.rsa.key), 'officer-rsa', '01');
    token.importKey(pem(keys.ec256.key), 'officer-ec256', '02');
    token.importKey(pem(keys.ec384.key), 'officer-ec384', '03');
    await token.writeCertificate(keys.rsa.cert, 'officer-rsa-cert', '01');
    await token.writeCertificate(keys.ec256.cert, 'officer-ec256-cert', '02');
    await token.writeCertificate(keys.ca, 'issuing-ca');
  }, 60_000);

  afterAll(async () => {
    for (const s of open) await s.close?.();
    token?.remove();
  });

  const cases: Array<[string, SignatureAlgorithm]> = [
    ['officer-rsa', { scheme: 'RSASSA-PKCS1-v1_5', digest: 'SHA-256' }],
    ['officer-rsa', { scheme: 'RSASSA-PKCS1-v1_5', digest: 'SHA-384' }],
    ['officer-rsa', { scheme: 'RSASSA-PKCS1-v1_5', digest: 'SHA-512' }],
    ['officer-rsa', { scheme: 'RSA-PSS', digest: 'SHA-256' }],
    ['officer-rsa', { scheme: 'RSA-PSS', digest: 'SHA-512' }],
    ['officer-ec256', { scheme: 'ECDSA', digest: 'SHA-256' }],
    ['officer-ec256', { scheme: 'ECDSA', digest: 'SHA-384' }],
  ];
  for (const [label, algorithm] of cases) {
    it(`${label}: ${algorithm.scheme} over ${algorithm.digest} verifies with the certificate's key`, async () => {
      const signer = await signerFor({ keyLabel: label });
      const signature = await signer.sign(digestOf(algorithm), algorithm);
      const cert = label === 'officer-rsa' ? keys.rsa.cert : keys.ec256.cert;
      expect(verifiesWith(cert, algorithm, signature)).toBe(true);
    });
  }

  it('reads the chain from the token: the key’s certificate (same CKA_ID), then its issuer', async () => {
    const signer = await signerFor({ keyLabel: 'officer-rsa' });
    expect(signer.certificateChain.map((c) => Buffer.from(c).toString('hex'))).toEqual([
      Buffer.from(keys.rsa.cert.der).toString('hex'),
      Buffer.from(keys.ca.der).toString('hex'),
    ]);
    expect(signer.schemes).toEqual(['RSASSA-PKCS1-v1_5', 'RSA-PSS']);
  });

  it('P-384 key without a certificate on the token: signs with the supplied chain (PEM and DER), by slot and key ID', async () => {
    const signer = await signerFor({
      tokenLabel: undefined,
      slot: token.slot,
      keyId: '03',
      certificateChain: [keys.ec384.cert.x509.toString(), keys.ca.der],
    });
    const algorithm: SignatureAlgorithm = { scheme: 'ECDSA', digest: 'SHA-384' };
    const signature = await signer.sign(digestOf(algorithm), algorithm);
    expect(verifiesWith(keys.ec384.cert, algorithm, signature)).toBe(true);
    expect(signer.certificateChain).toHaveLength(2);
  });

  it('queues concurrent calls on the one session: every signature verifies', async () => {
    const signer = await signerFor({ keyLabel: 'officer-ec256' });
    const algorithm: SignatureAlgorithm = { scheme: 'ECDSA', digest: 'SHA-256' };
    const signatures = await Promise.all(
      Array.from({ length: 6 }, () => signer.sign(digestOf(algorithm), algorithm)),
    );
    expect(signatures.every((s) => verifiesWith(keys.ec256.cert, algorithm, s))).toBe(true);
  });

  it('a wrong PIN is ERR_ESIGN_PKCS11_PIN, and the PIN appears nowhere in the error', async () => {
    const wrong = '000111222';
    const err = await rejection(signerFor({ keyLabel: 'officer-rsa', pin: wrong }));
    expect(isEsignError(err, 'ERR_ESIGN_PKCS11_PIN')).toBe(true);
    const text = `${inspect(err, { depth: 8 })} ${JSON.stringify(err)} ${(err as Error).stack}`;
    expect(text).not.toContain(wrong);
    expect(text).not.toContain(PIN);
    expect(text).toContain('CKR_PIN_INCORRECT');
  });

  it('with no session open, the token itself refuses a wrong PIN (CKR_PIN_INCORRECT), then accepts the right one', async () => {
    for (const s of open.splice(0)) await s.close?.();
    const err = await rejection(signerFor({ keyLabel: 'officer-rsa', pin: '999888777' }));
    expect(isEsignError(err, 'ERR_ESIGN_PKCS11_PIN')).toBe(true);
    expect((err as { pkcs11Code?: string }).pkcs11Code).toBe('CKR_PIN_INCORRECT');
    expect((err as Error).cause).toBeDefined();
    const signer = await signerFor({ keyLabel: 'officer-rsa' });
    expect(signer.certificateChain.length).toBe(2);
  });

  it('an unknown key label, token label or slot is a typed error', async () => {
    expect(isEsignError(await rejection(signerFor({ keyLabel: 'nobody' })), 'ERR_ESIGN_PKCS11_KEY')).toBe(
      true,
    );
    expect(
      isEsignError(
        await rejection(signerFor({ tokenLabel: 'no-such-token', keyLabel: 'officer-rsa' })),
        'ERR_ESIGN_PKCS11_TOKEN',
      ),
    ).toBe(true);
    expect(
      isEsignError(
        await rejection(signerFor({ tokenLabel: undefined, slot: 4242, keyLabel: 'officer-rsa' })),
        'ERR_ESIGN_PKCS11_TOKEN',
      ),
    ).toBe(true);
  });

  it('a certificate of another key is refused before anything is signed', async () => {
    const err = await rejection(
      signerFor({ keyLabel: 'officer-rsa', certificateChain: [keys.ec256.cert.der] }),
    );
    expect(isEsignError(err, 'ERR_ESIGN_PKCS11_CERTIFICATE')).toBe(true);
    // Same family, other key: the first signature would not verify, so it is not handed out.
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const stranger = issueCertificate({
      subject: 'Stranger',
      publicKey: other.publicKey,
      signingKey: other.privateKey,
      serial: 99,
    });
    const signer = await signerFor({ keyLabel: 'officer-ec256', certificateChain: [stranger.der] });
    const algorithm: SignatureAlgorithm = { scheme: 'ECDSA', digest: 'SHA-256' };
    const sign = await rejection(signer.sign(digestOf(algorithm), algorithm));
    expect(isEsignError(sign, 'ERR_ESIGN_PKCS11_CERTIFICATE')).toBe(true);
  });

  it('a scheme the key cannot produce, or a digest of the wrong length, is ERR_ESIGN_ALGORITHM', async () => {
    const signer = await signerFor({ keyLabel: 'officer-rsa' });
    expect(() =>
      signer.sign(digestOf({ scheme: 'ECDSA', digest: 'SHA-256' }), { scheme: 'ECDSA', digest: 'SHA-256' }),
    ).toThrow(expect.objectContaining({ code: 'ERR_ESIGN_ALGORITHM' }));
    expect(() => signer.sign(new Uint8Array(20), { scheme: 'RSASSA-PKCS1-v1_5', digest: 'SHA-256' })).toThrow(
      expect.objectContaining({ code: 'ERR_ESIGN_ALGORITHM' }),
    );
  });

  it('close() ends the session: a later sign is ERR_ESIGN_SIGNER_CLOSED; close is idempotent', async () => {
    const signer = await signerFor({ keyLabel: 'officer-ec256' });
    await signer.close?.();
    await signer.close?.();
    const algorithm: SignatureAlgorithm = { scheme: 'ECDSA', digest: 'SHA-256' };
    expect(
      isEsignError(await rejection(signer.sign(digestOf(algorithm), algorithm)), 'ERR_ESIGN_SIGNER_CLOSED'),
    ).toBe(true);
  });

  it('a library that is not a PKCS#11 module is ERR_ESIGN_PKCS11_LIBRARY', async () => {
    const err = await rejection(signerFor({ library: '/nonexistent/libpkcs11.so', keyLabel: 'officer-rsa' }));
    expect(isEsignError(err, 'ERR_ESIGN_PKCS11_LIBRARY')).toBe(true);
  });
});

it('options: exactly one of slot/tokenLabel and of keyLabel/keyId; unknown keys refused; the PIN never echoed', async () => {
  const base = { library: '/x.so', pin: 'secret-pin-42' };
  for (const bad of [
    { ...base, keyLabel: 'k' },
    { ...base, slot: 1, tokenLabel: 't', keyLabel: 'k' },
    { ...base, tokenLabel: 't' },
    { ...base, tokenLabel: 't', keyLabel: 'k', keyId: '01' },
    { ...base, tokenLabel: 't', keyLabel: 'k', keyID: '01' },
    { ...base, tokenLabel: 't', keyId: 'not hex' },
  ]) {
    const err = await rejection(pkcs11Signer(bad as never));
    expect(err).toBeInstanceOf(TypeError);
    expect((err as { code?: string }).code).toBe('ERR_INVALID_ARG');
    expect(String((err as Error).message)).not.toContain('secret-pin-42');
  }
});
