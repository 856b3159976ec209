import { execFileSync } from 'node:child_process';
import type { KeyObject } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireLibrary, CK, type Handle, type Pkcs11Api, releaseLibrary } from '../../src/pkcs11/binding.js';
import { softhsmLibrary } from './softhsm.js';

/**
 * Several SoftHSM2 tokens behind one configuration, to reproduce what real readers and HSMs show: many slots,
 * tokens with the same label, objects with chosen attributes (created through the binding, as a vendor's
 * provisioning tool would), and a restricted mechanism list (`slots.mechanisms`). Use under `softhsm.describe`.
 * SOFTHSM2_CONF is set for the process and read at C_Initialize: create the set while no signer is open.
 */
export interface SoftHsmSlots {
  library: string;
  dir: string;
  /** Initialises one more token; returns its slot ID. */
  addToken(label: string, pin: string): bigint;
  /** Imports a PKCS#8 PEM key pair with softhsm2-util into the token in `slot`. */
  importKey(slot: bigint, pin: string, pem: string, label: string, idHex: string): void;
  /** Runs `fn` in a logged-in read-write session of `slot` (through the package's shared library instance). */
  withSession<T>(slot: bigint, pin: string, fn: (api: TestApi, session: Handle) => T): Promise<T>;
  remove(): void;
}

/** The binding calls that provisioning needs beyond what the signer uses. */
export type TestApi = Pkcs11Api & {
  C_CreateObject(session: Handle, template: Array<{ type: number; value?: unknown }>): Handle;
  C_CloseAllSessions(slot: Handle): void;
  C_GetSessionInfo(session: Handle): { state: number };
  C_Logout(session: Handle): void;
};

export const CKA = {
  TOKEN: 0x1,
  PRIVATE: 0x2,
  SUBJECT: 0x101,
  PUBLIC_EXPONENT: 0x122,
  PRIVATE_EXPONENT: 0x123,
  PRIME_1: 0x124,
  PRIME_2: 0x125,
  EXPONENT_1: 0x126,
  EXPONENT_2: 0x127,
  COEFFICIENT: 0x128,
  EC_PARAMS: 0x180,
  ALLOWED_MECHANISMS: 0x40000600,
} as const;

export function createSoftHsmSlots(extraConf = ''): SoftHsmSlots {
  const library = softhsmLibrary as string;
  const dir = mkdtempSync(join(tmpdir(), 'thgov-softhsm-slots-'));
  mkdirSync(join(dir, 'tokens'));
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(
    conf,
    `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n${extraConf}\n`,
  );
  process.env.SOFTHSM2_CONF = conf;
  const util = (args: string[]) => execFileSync('softhsm2-util', args, { encoding: 'utf8', stdio: 'pipe' });
  return {
    library,
    dir,
    addToken(label, pin) {
      const out = util(['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', `${pin}-so`]);
      const slot = /reassigned to slot (\d+)/.exec(out)?.[1];
      if (!slot) throw new Error(`softhsm2-util did not say which slot the token got: ${out}`);
      return BigInt(slot);
    },
    importKey(slot, pin, pem, label, idHex) {
      const file = join(dir, 'import.pem');
      writeFileSync(file, pem, { mode: 0o600 });
      try {
        util(['--import', file, '--slot', String(slot), '--label', label, '--id', idHex, '--pin', pin]);
      } finally {
        rmSync(file);
      }
    },
    async withSession(slot, pin, fn) {
      const { api: base } = await acquireLibrary(library);
      const api = base as TestApi;
      try {
        const handle = api.C_GetSlotList(true).find((s) => s.readBigUInt64LE(0) === slot);
        if (!handle) throw new Error(`slot ${slot} is not visible`);
        const session = api.C_OpenSession(handle, CK.CKF_SERIAL_SESSION | 0x2);
        try {
          try {
            api.C_Login(session, CK.CKU_USER, pin);
          } catch (err) {
            // A signer of this process has the token logged in already (login state is per token).
            if (!/CKR_USER_ALREADY_LOGGED_IN/.test(String(err))) throw err;
          }
          return fn(api, session);
        } finally {
          api.C_CloseSession(session);
        }
      } finally {
        await releaseLibrary(library);
      }
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A persistent X.509 certificate object with the given label and (optional) CKA_ID. */
export function certificateTemplate(
  cert: { der: Uint8Array; subject: Uint8Array },
  label: string,
  id?: Buffer,
): Array<{ type: number; value: unknown }> {
  return [
    { type: CK.CKA_CLASS, value: CK.CKO_CERTIFICATE },
    { type: CK.CKA_CERTIFICATE_TYPE, value: CK.CKC_X_509 },
    { type: CKA.TOKEN, value: true },
    { type: CK.CKA_LABEL, value: label },
    { type: CK.CKA_VALUE, value: Buffer.from(cert.der) },
    { type: CKA.SUBJECT, value: Buffer.from(cert.subject) },
    ...(id ? [{ type: CK.CKA_ID, value: id }] : []),
  ];
}

/**
 * A persistent RSA or EC private key object holding `key`, as a provisioning tool writes it; `extra`
 * attributes (CKA_ALWAYS_AUTHENTICATE, CKA_ALLOWED_MECHANISMS, explicit CKA_EC_PARAMS…) override the defaults.
 */
export function privateKeyTemplate(
  key: KeyObject,
  label: string,
  id: Buffer,
  extra: Array<{ type: number; value: unknown }> = [],
): Array<{ type: number; value: unknown }> {
  const jwk = key.export({ format: 'jwk' });
  const b = (v: string | undefined) => Buffer.from(v ?? '', 'base64url');
  const material =
    jwk.kty === 'RSA'
      ? [
          { type: CK.CKA_KEY_TYPE, value: CK.CKK_RSA },
          { type: CK.CKA_MODULUS, value: b(jwk.n) },
          { type: CKA.PUBLIC_EXPONENT, value: b(jwk.e) },
          { type: CKA.PRIVATE_EXPONENT, value: b(jwk.d) },
          { type: CKA.PRIME_1, value: b(jwk.p) },
          { type: CKA.PRIME_2, value: b(jwk.q) },
          { type: CKA.EXPONENT_1, value: b(jwk.dp) },
          { type: CKA.EXPONENT_2, value: b(jwk.dq) },
          { type: CKA.COEFFICIENT, value: b(jwk.qi) },
        ]
      : [
          { type: CK.CKA_KEY_TYPE, value: CK.CKK_EC },
          { type: CKA.EC_PARAMS, value: NAMED_CURVES[jwk.crv ?? ''] },
          { type: CK.CKA_VALUE, value: b(jwk.d) },
        ];
  const base = [
    { type: CK.CKA_CLASS, value: CK.CKO_PRIVATE_KEY },
    { type: CKA.TOKEN, value: true },
    { type: CKA.PRIVATE, value: true },
    { type: CK.CKA_SIGN, value: true },
    { type: CK.CKA_LABEL, value: label },
    { type: CK.CKA_ID, value: id },
    ...material,
  ];
  return [...base.filter((a) => !extra.some((e) => e.type === a.type)), ...extra];
}

/** CKA_EC_PARAMS as a namedCurve OID. */
const NAMED_CURVES: Record<string, Buffer> = {
  'P-256': Buffer.from('06082a8648ce3d030107', 'hex'),
  'P-384': Buffer.from('06052b81040022', 'hex'),
};
