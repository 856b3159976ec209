import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { EsignError } from '../errors.js';

/**
 * The part of the `pkcs11js` binding thgov uses, typed here so that @thgov/esign builds, type-checks and
 * installs without it: the binding is an optional peer (it compiles C++ on install), loaded on first use.
 */
export type Handle = Buffer;

export interface Pkcs11Attribute {
  type: number;
  value?: number | boolean | string | Buffer;
}

export interface Pkcs11Mechanism {
  mechanism: number;
  parameter?: Buffer | { type: number; hashAlg: number; mgf: number; saltLen: number };
}

export interface Pkcs11Api {
  load(path: string): void;
  C_Initialize(options?: { flags?: number }): void;
  C_Finalize(): void;
  C_GetSlotList(tokenPresent?: boolean): Handle[];
  C_GetTokenInfo(slot: Handle): { label: string };
  C_OpenSession(slot: Handle, flags: number): Handle;
  C_GetMechanismList(slot: Handle): number[];
  C_GetMechanismInfo(slot: Handle, mechanism: number): { flags: number };
  C_CloseSession(session: Handle): void;
  C_Login(session: Handle, userType: number, pin?: string): void;
  C_Logout(session: Handle): void;
  C_FindObjectsInit(session: Handle, template: Pkcs11Attribute[]): void;
  C_FindObjects(session: Handle, maxObjectCount: number): Handle[];
  C_FindObjectsFinal(session: Handle): void;
  C_GetAttributeValue(
    session: Handle,
    object: Handle,
    template: Pkcs11Attribute[],
  ): Array<{ type: number; value: Buffer }>;
  C_SignInit(session: Handle, mechanism: Pkcs11Mechanism, key: Handle): void;
  C_Sign(session: Handle, data: Buffer, out: Buffer): Buffer;
  C_SignAsync(session: Handle, data: Buffer, out: Buffer): Promise<Buffer>;
}

interface Pkcs11Binding {
  PKCS11: new () => Pkcs11Api;
}

/** PKCS#11 v2.40 constants thgov needs (fixed by the standard's ABI, so not read from the binding). */
export const CK = {
  CKF_SERIAL_SESSION: 0x4,
  CKF_OS_LOCKING_OK: 0x2,
  CKU_USER: 1,
  CKU_CONTEXT_SPECIFIC: 2,
  CKO_CERTIFICATE: 1,
  CKO_PUBLIC_KEY: 2,
  CKO_PRIVATE_KEY: 3,
  CKA_CLASS: 0x0,
  CKA_LABEL: 0x3,
  CKA_VALUE: 0x11,
  CKA_CERTIFICATE_TYPE: 0x80,
  CKA_KEY_TYPE: 0x100,
  CKA_ID: 0x102,
  CKA_SIGN: 0x108,
  CKA_MODULUS: 0x120,
  CKA_EC_POINT: 0x181,
  CKA_ALWAYS_AUTHENTICATE: 0x202,
  CKA_ALLOWED_MECHANISMS: 0x40000600,
  CKF_SIGN: 0x800,
  CKC_X_509: 0,
  CKK_RSA: 0,
  CKK_EC: 3,
  CKM_RSA_PKCS: 0x1,
  CKM_RSA_PKCS_PSS: 0xd,
  CKM_ECDSA: 0x1041,
  CKM_SHA256: 0x250,
  CKM_SHA384: 0x260,
  CKM_SHA512: 0x270,
  CKG_MGF1_SHA256: 2,
  CKG_MGF1_SHA384: 3,
  CKG_MGF1_SHA512: 4,
  CK_PARAMS_RSA_PSS: 5,
} as const;

const BINDING = 'pkcs11js';
let bindingPromise: Promise<Pkcs11Binding> | undefined;

async function loadBinding(): Promise<Pkcs11Binding> {
  try {
    // A variable specifier: bundlers and TypeScript must not require the optional peer to be present.
    const specifier = BINDING;
    const mod = (await import(specifier)) as { default?: Pkcs11Binding } & Partial<Pkcs11Binding>;
    const binding = (mod.PKCS11 ? mod : mod.default) as Pkcs11Binding | undefined;
    if (typeof binding?.PKCS11 !== 'function') throw new TypeError('pkcs11js exports no PKCS11 class');
    return binding;
  } catch (cause) {
    bindingPromise = undefined;
    throw new EsignError('ERR_ESIGN_PKCS11_MODULE', 'The PKCS#11 binding pkcs11js could not be loaded', {
      cause,
      hint: 'Install it beside @thgov/esign: `npm install pkcs11js` (it compiles on install: python3, make and a C++ compiler are needed).',
    });
  }
}

/** What this process knows of one token's login: thgov logged it in, with this PIN, for this many sessions. */
export interface TokenLogin {
  /** A salted hash of the PIN (login state is per token, not per session). */
  pinHash: Buffer;
  /** thgov sessions relying on the login; the last one to close logs the token out. */
  sessions: number;
}

interface OpenLibrary {
  api: Pkcs11Api;
  users: number;
  /** False when other code of the process had initialised the module: then it is theirs to finalise. */
  owned: boolean;
  /** The module locks for itself: calls may run on worker threads (C_SignAsync) beside the main thread's. */
  threadSafe: boolean;
  logins: Map<bigint, TokenLogin>;
}

/** What a signer holds while it uses a library. */
export interface LibraryHandle {
  api: Pkcs11Api;
  /** The key to give {@link releaseLibrary}: the module's real path. */
  path: string;
  /** False: every call must stay on the main thread (sign with C_Sign, not C_SignAsync). */
  threadSafe: boolean;
  logins: Map<bigint, TokenLogin>;
}

/**
 * One initialised instance per module, shared by every signer of the process (C_Initialize is per process),
 * keyed by the module's real path: the same file reached through a symlink or a relative path is the same
 * module, which a second C_Initialize would refuse (CKR_CRYPTOKI_ALREADY_INITIALIZED).
 */
const libraries = new Map<string, Promise<OpenLibrary>>();

/** The real path of a module given as a path; a bare file name is left to the dynamic loader's search. */
function modulePath(path: string): string {
  if (!path.includes('/') && !path.includes('\\')) return path;
  try {
    return realpathSync(resolve(path));
  } catch {
    return path; // Missing: the load below fails with a typed error.
  }
}

/**
 * Loads and initialises the module, telling it to lock with the OS's primitives (CKF_OS_LOCKING_OK): pkcs11js
 * signs on a worker thread while the main thread keeps calling the module for other signers, and a module
 * initialised with NULL arguments may assume one thread and drop its locks (SoftHSM2 does, and then crashes
 * under concurrent signers). A module that cannot lock (CKR_CANT_LOCK) is initialised plainly and used from
 * the main thread only.
 */
function initialise(api: Pkcs11Api, path: string): { owned: boolean; threadSafe: boolean } {
  try {
    api.load(path);
    try {
      api.C_Initialize({ flags: CK.CKF_OS_LOCKING_OK });
      return { owned: true, threadSafe: true };
    } catch (cause) {
      if (pkcs11CodeOf(cause) !== 'CKR_CANT_LOCK') throw cause;
      api.C_Initialize();
      return { owned: true, threadSafe: false };
    }
  } catch (cause) {
    // Another library of the process (graphene-pk11, a second copy of thgov, a native addon) initialised the
    // module: its sessions and login state are the process's, and usable; finalising stays its job. How it
    // asked the module to lock is unknown, so calls stay on the main thread.
    if (pkcs11CodeOf(cause) === 'CKR_CRYPTOKI_ALREADY_INITIALIZED')
      return { owned: false, threadSafe: false };
    throw new EsignError(
      'ERR_ESIGN_PKCS11_LIBRARY',
      'The PKCS#11 library could not be loaded or initialised',
      {
        cause: sanitizeCause(cause),
        pkcs11Code: pkcs11CodeOf(cause),
        hint: "Check the `library` path (the HSM or smart-card vendor's PKCS#11 module) and its configuration (for SoftHSM2: SOFTHSM2_CONF).",
      },
    );
  }
}

/** Loads and initialises a PKCS#11 library (once per module); pair every call with {@link releaseLibrary}. */
export async function acquireLibrary(path: string): Promise<LibraryHandle> {
  const key = modulePath(path);
  let entry = libraries.get(key);
  if (!entry) {
    entry = (async () => {
      bindingPromise ??= loadBinding();
      const binding = await bindingPromise;
      const api = new binding.PKCS11();
      return { api, users: 0, ...initialise(api, key), logins: new Map() };
    })();
    libraries.set(key, entry);
    entry.catch(() => libraries.delete(key));
  }
  const open = await entry;
  open.users++;
  return { api: open.api, path: key, threadSafe: open.threadSafe, logins: open.logins };
}

/** Releases one use of a library; the last one finalises it (if this process initialised it). */
export async function releaseLibrary(path: string): Promise<void> {
  const key = modulePath(path);
  const entry = libraries.get(key);
  if (!entry) return;
  const open = await entry;
  open.users--;
  if (open.users > 0) return;
  libraries.delete(key);
  if (!open.owned) return;
  try {
    open.api.C_Finalize();
  } catch {
    // Finalising is best effort: the process may be exiting, or the token was removed.
  }
}

/** The `CKR_…` name of a pkcs11js error (its message is "CKR_PIN_INCORRECT:160"), if it carries one. */
export function pkcs11CodeOf(err: unknown): string | undefined {
  const message = err instanceof Error ? err.message : undefined;
  return message ? /\bCKR_[A-Z0-9_]+/.exec(message)?.[0] : undefined;
}

/**
 * A cause that is safe to keep on an error: the return-value name and the failing function, never the
 * native stack (it may quote arguments such as a library path with a user name).
 */
export function sanitizeCause(err: unknown): Error {
  const code = pkcs11CodeOf(err);
  const method = (err as { method?: unknown } | null)?.method;
  return new Error(
    `${typeof method === 'string' && method ? `${method}: ` : ''}${code ?? 'PKCS#11 call failed'}`,
  );
}
