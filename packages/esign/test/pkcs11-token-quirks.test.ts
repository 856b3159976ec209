// What real tokens, readers and HSMs do that one fresh SoftHSM2 token does not show: several slots, labels
// padded or in Thai, duplicate labels, objects written by provisioning tools with their own CKA_IDs, keys that
// authenticate every signature, sessions that vanish, libraries reached by other paths or initialised by other
// code of the process. All of it on real SoftHSM2 tokens; nothing here is mocked.
import { createHash, generateKeyPairSync, type KeyObject, verify } from 'node:crypto';
import { existsSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isEsignError, pkcs11Signer, type SignatureAlgorithm, type Signer } from '../src/index.js';
import { acquireLibrary, CK, releaseLibrary } from '../src/pkcs11/binding.js';
import { issueCertificate, type TestCertificate } from './helpers/certificate.js';
import { softhsm } from './helpers/softhsm.js';
import {
  CKA,
  certificateTemplate,
  createSoftHsmSlots,
  privateKeyTemplate,
  type SoftHsmSlots,
  type TestApi,
} from './helpers/softhsm-slots.js';

const PIN = '583920';
const ES256: SignatureAlgorithm = { scheme: 'ECDSA', digest: 'SHA-256' };
const RS256: SignatureAlgorithm = { scheme: 'RSASSA-PKCS1-v1_5', digest: 'SHA-256' };
const DATA = Buffer.from('บันทึกข้อความ ที่ 17/2569');
const DIGEST = new Uint8Array(createHash('sha256').update(DATA).digest());
const THAI_KEY = 'ผู้อำนวยการ กองกลาง';
/** Ten Thai letters: 30 UTF-8 bytes, within the 32 of a token label. */
const THAI_TOKEN = 'ทดสอบลงนาม';
/** P-256 as explicit ECParameters (what some provisioning tools write instead of the namedCurve OID). */
const P256_EXPLICIT = Buffer.from(
  '3081f7020101302c06072a8648ce3d0101022100ffffffff00000001000000000000000000000000ffffffffffffffffffffffff305b0420ffffffff00000001000000000000000000000000fffffffffffffffffffffffc04205ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b031500c49d360886e704936a6678e1139d26b7819f7e900441046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c2964fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5022100ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551020101',
  'hex',
);

const caKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ca = issueCertificate({
  subject: 'Quirks CA',
  publicKey: caKey.publicKey,
  signingKey: caKey.privateKey,
  serial: 1,
  ca: true,
});
let serial = 10;
function officer(type: 'ec' | 'rsa', dates: { notBefore?: Date; notAfter?: Date } = {}) {
  const pair =
    type === 'ec'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cert = issueCertificate({
    subject: `Officer ${serial}`,
    publicKey: pair.publicKey,
    issuer: ca,
    signingKey: caKey.privateKey,
    serial: serial++,
    ...dates,
  });
  return { key: pair.privateKey, cert };
}
const verifies = (cert: TestCertificate, signature: Uint8Array, rsa = false) =>
  verify(
    'sha256',
    DATA,
    rsa ? cert.x509.publicKey : { key: cert.x509.publicKey, dsaEncoding: 'der' },
    signature,
  );
const pem = (k: KeyObject) => k.export({ format: 'pem', type: 'pkcs8' }).toString();

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

softhsm.describe('pkcs11Signer with tokens shaped like real ones', () => {
  let hsm: SoftHsmSlots;
  const slots: Record<string, bigint> = {};
  const keys = {
    main: officer('ec'),
    thai: officer('ec'),
    twinA: officer('ec'),
    twinB: officer('ec'),
    elsewhere: officer('ec'),
    always: officer('rsa'),
    explicit: officer('ec'),
    renewedOld: officer('ec', {
      notBefore: new Date(Date.now() - 800 * 86_400_000),
      notAfter: new Date(Date.now() - 400 * 86_400_000),
    }),
    dupA: officer('ec'),
    dupB: officer('ec'),
    padded: officer('ec'),
    thaiToken: officer('ec'),
  };
  // The renewed certificate is for the same key as the expired one.
  const renewedNew = issueCertificate({
    subject: 'Officer renewed',
    publicKey: keys.renewedOld.cert.x509.publicKey,
    issuer: ca,
    signingKey: caKey.privateKey,
    serial: 90,
  });
  const open: Signer[] = [];
  const signerFor = async (o: Partial<Parameters<typeof pkcs11Signer>[0]>) => {
    const s = await pkcs11Signer({ library: hsm.library, tokenLabel: 'saraban', pin: PIN, ...o } as never);
    open.push(s);
    return s;
  };
  const closeAll = async () => {
    for (const s of open.splice(0)) await s.close?.();
  };

  beforeAll(async () => {
    hsm = createSoftHsmSlots();
    for (const label of ['saraban', 'dup', 'dup', 'pad  ', THAI_TOKEN]) {
      slots[slots[label] === undefined ? label : `${label}2`] = hsm.addToken(label, PIN);
    }
    const main = slots.saraban as bigint;
    hsm.importKey(main, PIN, pem(keys.main.key), 'officer', '01');
    hsm.importKey(slots.dup as bigint, PIN, pem(keys.dupA.key), 'officer', '01');
    hsm.importKey(slots.dup2 as bigint, PIN, pem(keys.dupB.key), 'officer', '01');
    hsm.importKey(slots['pad  '] as bigint, PIN, pem(keys.padded.key), 'officer', '01');
    hsm.importKey(slots[THAI_TOKEN] as bigint, PIN, pem(keys.thaiToken.key), 'officer', '01');
    await hsm.withSession(main, PIN, (api, s) => {
      const create = (t: Array<{ type: number; value: unknown }>) => api.C_CreateObject(s, t);
      const id = (hex: string) => Buffer.from(hex, 'hex');
      create(certificateTemplate(ca, 'issuing-ca'));
      create(certificateTemplate(keys.main.cert, 'officer-cert', id('01')));
      const thaiId = Buffer.from('ผอ', 'utf8');
      create(privateKeyTemplate(keys.thai.key, THAI_KEY, thaiId));
      create(certificateTemplate(keys.thai.cert, `ใบรับรอง ${THAI_KEY}`, thaiId));
      create(privateKeyTemplate(keys.twinA.key, 'twin', id('21')));
      create(certificateTemplate(keys.twinA.cert, 'twin-a', id('21')));
      create(privateKeyTemplate(keys.twinB.key, 'twin', id('22')));
      create(certificateTemplate(keys.twinB.cert, 'twin-b', id('22')));
      create(privateKeyTemplate(keys.elsewhere.key, 'elsewhere', id('31')));
      create(certificateTemplate(keys.elsewhere.cert, 'elsewhere-cert', id('ff31')));
      create(
        privateKeyTemplate(keys.always.key, 'always', id('41'), [
          { type: CK.CKA_ALWAYS_AUTHENTICATE, value: true },
        ]),
      );
      create(certificateTemplate(keys.always.cert, 'always-cert', id('41')));
      create(
        privateKeyTemplate(keys.explicit.key, 'explicit', id('51'), [
          { type: CKA.EC_PARAMS, value: P256_EXPLICIT },
        ]),
      );
      create(certificateTemplate(keys.explicit.cert, 'explicit-cert', id('51')));
      create(privateKeyTemplate(keys.renewedOld.key, 'renewed', id('61')));
      // The expired certificate is written first and again after the renewed one: the token's order decides nothing.
      create(certificateTemplate(keys.renewedOld.cert, 'renewed-2024', id('61')));
      create(certificateTemplate(renewedNew, 'renewed-2026', id('61')));
      create(certificateTemplate(keys.renewedOld.cert, 'renewed-2024-copy', id('61')));
    });
  }, 60_000);

  afterAll(async () => {
    await closeAll();
    hsm?.remove();
  });

  it('two tokens with the same label: refused as ambiguous (not whichever slot comes first); by slot each works', async () => {
    const err = await rejection(signerFor({ tokenLabel: 'dup', keyLabel: 'officer' }));
    expect(isEsignError(err, 'ERR_ESIGN_PKCS11_TOKEN')).toBe(true);
    expect((err as Error).message).toMatch(/more than one token/i);
    const bySlot = (slot: bigint | undefined, cert: TestCertificate) =>
      signerFor({ tokenLabel: undefined, slot, keyLabel: 'officer', certificateChain: [cert.der] });
    const a = await bySlot(slots.dup, keys.dupA.cert);
    const b = await bySlot(slots.dup2, keys.dupB.cert);
    expect(verifies(keys.dupA.cert, await a.sign(DIGEST, ES256))).toBe(true);
    expect(verifies(keys.dupB.cert, await b.sign(DIGEST, ES256))).toBe(true);
  });

  it('a token label given with the trailing blanks it was initialised with (PKCS#11 pads labels with blanks)', async () => {
    for (const tokenLabel of ['pad  ', 'pad']) {
      const signer = await signerFor({
        tokenLabel,
        keyLabel: 'officer',
        certificateChain: [keys.padded.cert.der],
      });
      expect(verifies(keys.padded.cert, await signer.sign(DIGEST, ES256))).toBe(true);
    }
  });

  it('a Thai token label, a Thai key label and a UTF-8 CKA_ID', async () => {
    const onThai = await signerFor({
      tokenLabel: THAI_TOKEN,
      keyLabel: 'officer',
      certificateChain: [keys.thaiToken.cert.der],
    });
    expect(verifies(keys.thaiToken.cert, await onThai.sign(DIGEST, ES256))).toBe(true);
    const byLabel = await signerFor({ keyLabel: THAI_KEY });
    expect(Buffer.from(byLabel.certificateChain[0] as Uint8Array)).toEqual(Buffer.from(keys.thai.cert.der));
    const byId = await signerFor({ keyId: Buffer.from('ผอ', 'utf8').toString('hex') });
    expect(verifies(keys.thai.cert, await byId.sign(DIGEST, ES256))).toBe(true);
  });

  it('two keys with one label: ERR_ESIGN_PKCS11_KEY naming keyId; by CKA_ID each gets its own certificate', async () => {
    const err = await rejection(signerFor({ keyLabel: 'twin' }));
    expect(isEsignError(err, 'ERR_ESIGN_PKCS11_KEY')).toBe(true);
    for (const [id, k] of [
      ['21', keys.twinA],
      ['22', keys.twinB],
    ] as const) {
      const signer = await signerFor({ keyId: id });
      expect(Buffer.from(signer.certificateChain[0] as Uint8Array)).toEqual(Buffer.from(k.cert.der));
      expect(verifies(k.cert, await signer.sign(DIGEST, ES256))).toBe(true);
    }
  });

  it('a certificate whose CKA_ID differs from the key’s: a typed error, or found by certificateLabel', async () => {
    const err = await rejection(signerFor({ keyLabel: 'elsewhere' }));
    expect(isEsignError(err, 'ERR_ESIGN_PKCS11_CERTIFICATE')).toBe(true);
    const signer = await signerFor({ keyLabel: 'elsewhere', certificateLabel: 'elsewhere-cert' });
    expect(verifies(keys.elsewhere.cert, await signer.sign(DIGEST, ES256))).toBe(true);
  });

  it('a renewed certificate beside the expired one (same key, same CKA_ID): the valid one is the signer’s', async () => {
    const signer = await signerFor({ keyLabel: 'renewed' });
    expect(Buffer.from(signer.certificateChain[0] as Uint8Array).toString('hex')).toBe(
      Buffer.from(renewedNew.der).toString('hex'),
    );
  });

  it('CKA_ALWAYS_AUTHENTICATE: every signature gets its context-specific login (SoftHSM enforces it)', async () => {
    const signer = await signerFor({ keyLabel: 'always' });
    const signatures = await Promise.all([1, 2, 3].map(() => signer.sign(DIGEST, RS256)));
    expect(signatures.every((s) => verifies(keys.always.cert, s, true))).toBe(true);
  });

  it('CKA_ALWAYS_AUTHENTICATE with a PIN changed since the signer opened: typed PIN error, and the signer recovers', async () => {
    const signer = await signerFor({ keyLabel: 'always' });
    const setPin = (from: string, to: string) =>
      hsm.withSession(slots.saraban as bigint, from, (api, s) =>
        (api as TestApi & { C_SetPIN(s: Buffer, o: string, n: string): void }).C_SetPIN(s, from, to),
      );
    await setPin(PIN, '999000');
    try {
      const err = await rejection(signer.sign(DIGEST, RS256));
      expect(isEsignError(err, 'ERR_ESIGN_PKCS11_PIN')).toBe(true);
      expect(`${inspect(err, { depth: 8 })}`).not.toContain(PIN);
    } finally {
      await setPin('999000', PIN);
    }
    // The failed context login must not leave the signing operation active on the session.
    expect(verifies(keys.always.cert, await signer.sign(DIGEST, RS256), true)).toBe(true);
  });

  it('an EC key stored with explicit curve parameters: raw r‖s comes back DER-encoded and verifies', async () => {
    const signer = await signerFor({ keyLabel: 'explicit' });
    for (let i = 0; i < 4; i++)
      expect(verifies(keys.explicit.cert, await signer.sign(DIGEST, ES256))).toBe(true);
  });

  it('the session disappears under the signer (token pulled, C_CloseAllSessions): typed error, close() still works', async () => {
    const signer = await signerFor({ keyLabel: 'officer' });
    const { api } = await acquireLibrary(hsm.library);
    try {
      const slot = api.C_GetSlotList(true).find((s) => s.readBigUInt64LE(0) === slots.saraban);
      (api as TestApi).C_CloseAllSessions(slot as Buffer);
    } finally {
      await releaseLibrary(hsm.library);
    }
    const err = await rejection(signer.sign(DIGEST, ES256));
    expect(isEsignError(err, 'ERR_ESIGN_PKCS11_SIGN')).toBe(true);
    expect((err as { pkcs11Code?: string }).pkcs11Code).toBe('CKR_SESSION_HANDLE_INVALID');
    await expect(signer.close?.()).resolves.toBeUndefined();
  });

  it('no session outlives its signer: after signs, failed opens and closes the token is logged out again', async () => {
    await closeAll();
    const { api } = await acquireLibrary(hsm.library);
    const test = api as TestApi;
    const slot = api.C_GetSlotList(true).find((s) => s.readBigUInt64LE(0) === slots.saraban) as Buffer;
    const watcher = api.C_OpenSession(slot, CK.CKF_SERIAL_SESSION);
    try {
      for (let i = 0; i < 5; i++) {
        const signer = await signerFor({ keyLabel: 'officer' });
        await Promise.all([signer.sign(DIGEST, ES256), signer.sign(DIGEST, ES256)]);
        await rejection(signerFor({ keyLabel: 'nobody' }));
        await rejection(signerFor({ keyLabel: 'officer', pin: '000000' }));
        await rejection(signerFor({ keyLabel: 'elsewhere' }));
        expect(test.C_GetSessionInfo(watcher).state).toBe(1); // CKS_RO_USER_FUNCTIONS: the signer's login
        await closeAll();
      }
      expect(test.C_GetSessionInfo(watcher).state).toBe(0); // CKS_RO_PUBLIC_SESSION: every login gone
    } finally {
      api.C_CloseSession(watcher);
      await releaseLibrary(hsm.library);
    }
  });

  it('the same module by its real path, through a symlink and by a relative path: all sign side by side', async () => {
    const real = realpathSync(hsm.library);
    const link = join(hsm.dir, 'vendor-pkcs11.so');
    symlinkSync(real, link);
    const paths = [hsm.library, real, link, relative(process.cwd(), real)];
    const signers = [];
    for (const library of paths) signers.push(await signerFor({ library, keyLabel: 'officer' }));
    for (const signer of signers)
      expect(verifies(keys.main.cert, await signer.sign(DIGEST, ES256))).toBe(true);
    await closeAll();
  });

  it('a file that is not a PKCS#11 module, or a directory: ERR_ESIGN_PKCS11_LIBRARY, no PIN in the error', async () => {
    const text = join(hsm.dir, 'not-a-module.so');
    writeFileSync(text, 'not an ELF file');
    // A real shared library without C_GetFunctionList, where the platform has it at a known place.
    const libc = ['/lib/x86_64-linux-gnu/libc.so.6', '/lib/aarch64-linux-gnu/libc.so.6'].filter(existsSync);
    for (const library of [text, hsm.dir, ...libc]) {
      const err = await rejection(signerFor({ library, keyLabel: 'officer' }));
      expect(isEsignError(err, 'ERR_ESIGN_PKCS11_LIBRARY')).toBe(true);
      expect(`${inspect(err, { depth: 8 })} ${(err as Error).stack}`).not.toContain(PIN);
    }
  });

  it('another library of the process initialised the module first (CKR_CRYPTOKI_ALREADY_INITIALIZED)', async () => {
    await closeAll();
    const mod = (await import('pkcs11js' as string)) as {
      default: { PKCS11: new () => TestApi & { C_Initialize(): void } };
    };
    const other = new mod.default.PKCS11();
    other.load(hsm.library);
    other.C_Initialize(); // Succeeds only because thgov finalised the module when its last signer closed.
    try {
      const signer = await signerFor({ keyLabel: 'officer' });
      expect(verifies(keys.main.cert, await signer.sign(DIGEST, ES256))).toBe(true);
      await closeAll();
      // thgov did not initialise the module, so it must not finalise it under the other library.
      const slot = other.C_GetSlotList(true).find((s) => s.readBigUInt64LE(0) === slots.saraban) as Buffer;
      const session = other.C_OpenSession(slot, CK.CKF_SERIAL_SESSION);
      other.C_Login(session, CK.CKU_USER, PIN);
      // The other library logged the token in: this process's login is not thgov's to vouch for a PIN.
      const err = await rejection(signerFor({ keyLabel: 'officer', pin: '111111' }));
      expect(isEsignError(err, 'ERR_ESIGN_PKCS11_TOKEN')).toBe(true);
      expect((err as { pkcs11Code?: string }).pkcs11Code).toBe('CKR_USER_ALREADY_LOGGED_IN');
      expect(`${inspect(err, { depth: 8 })}`).not.toContain('111111');
      other.C_CloseSession(session);
    } finally {
      other.C_Finalize();
    }
  });
});
