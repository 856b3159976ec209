import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  acquireLibrary,
  CK,
  type Handle,
  type Pkcs11Attribute,
  releaseLibrary,
} from '../../src/pkcs11/binding.js';
import { commandWorks, requirement } from './tools.js';

const LIBRARY_PLACES = [
  '/usr/lib/softhsm/libsofthsm2.so',
  '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/local/lib/softhsm/libsofthsm2.so',
  '/opt/homebrew/lib/softhsm/libsofthsm2.so',
];

/** SoftHSM2's PKCS#11 module, where Debian and Homebrew put it (or $SOFTHSM2_LIB). */
export const softhsmLibrary = [process.env.SOFTHSM2_LIB ?? '', ...LIBRARY_PLACES].find(
  (p) => p !== '' && existsSync(p),
);

function bindingLoads(): boolean {
  try {
    // The optional peer: resolvable only where its native build succeeded.
    import.meta.resolve('pkcs11js');
    return true;
  } catch {
    return false;
  }
}

/** Tests that need a real token: SoftHSM2 (softhsm2-util and its module) and the pkcs11js binding. */
export const softhsm = requirement(
  'softhsm2 and pkcs11js',
  softhsmLibrary !== undefined && commandWorks('softhsm2-util', ['--version']) && bindingLoads(),
  'apt-get install softhsm2, and pnpm install with a C++ toolchain for pkcs11js',
);

export interface SoftHsmToken {
  library: string;
  label: string;
  pin: string;
  slot: bigint;
  dir: string;
  /** Imports a PKCS#8 PEM private key (and its public half) under a label and a CKA_ID. */
  importKey(pem: string, label: string, idHex: string): void;
  /** Writes an X.509 certificate object (the binding's C_CreateObject, in a short read-write session). */
  writeCertificate(
    cert: { der: Uint8Array; subject: Uint8Array },
    label: string,
    idHex?: string,
  ): Promise<void>;
  remove(): void;
}

/**
 * A fresh SoftHSM2 token in a temporary folder. SOFTHSM2_CONF is set for the whole test process: SoftHSM
 * reads it once per C_Initialize, so create tokens before the first signer opens the library.
 */
export function createSoftHsmToken(label: string, pin: string): SoftHsmToken {
  const library = softhsmLibrary as string;
  const dir = mkdtempSync(join(tmpdir(), 'thgov-softhsm-'));
  mkdirSync(join(dir, 'tokens'));
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(
    conf,
    `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`,
  );
  process.env.SOFTHSM2_CONF = conf;
  const out = execFileSync(
    'softhsm2-util',
    ['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', `${pin}-so`],
    { encoding: 'utf8' },
  );
  const slot = /reassigned to slot (\d+)/.exec(out)?.[1];
  if (!slot) throw new Error(`softhsm2-util did not say which slot the token got: ${out}`);
  return {
    library,
    label,
    pin,
    slot: BigInt(slot),
    dir,
    importKey(pem, keyLabel, idHex) {
      const file = join(dir, `${idHex}.pem`);
      writeFileSync(file, pem, { mode: 0o600 });
      execFileSync(
        'softhsm2-util',
        ['--import', file, '--token', label, '--label', keyLabel, '--id', idHex, '--pin', pin],
        {
          stdio: 'pipe',
        },
      );
      rmSync(file);
    },
    async writeCertificate(cert, certLabel, idHex) {
      const { api: base } = await acquireLibrary(library);
      const api = base as typeof base & {
        C_CreateObject(session: Handle, template: Pkcs11Attribute[]): Handle;
      };
      try {
        const slotHandle = api.C_GetSlotList(true).find((s) => s.readBigUInt64LE(0) === BigInt(slot));
        if (!slotHandle) throw new Error('the new token is not visible');
        const CKF_RW_SESSION = 0x2;
        const session = api.C_OpenSession(slotHandle, CK.CKF_SERIAL_SESSION | CKF_RW_SESSION);
        api.C_Login(session, CK.CKU_USER, pin);
        api.C_CreateObject(session, [
          { type: CK.CKA_CLASS, value: CK.CKO_CERTIFICATE },
          { type: CK.CKA_CERTIFICATE_TYPE, value: CK.CKC_X_509 },
          { type: 0x1, value: true }, // CKA_TOKEN: persistent
          { type: CK.CKA_LABEL, value: certLabel },
          { type: CK.CKA_VALUE, value: Buffer.from(cert.der) },
          { type: 0x101, value: Buffer.from(cert.subject) }, // CKA_SUBJECT
          ...(idHex ? [{ type: CK.CKA_ID, value: Buffer.from(idHex, 'hex') }] : []),
        ]);
        api.C_CloseSession(session);
      } finally {
        await releaseLibrary(library);
      }
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
