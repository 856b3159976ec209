import { createHash, randomBytes, timingSafeEqual, type X509Certificate } from 'node:crypto';
import { type Logger, type LogLevel, unregisterSecret } from '@thgov/core';
import { SafeLogger, validateOptions, z } from '@thgov/core/internal';
import { EsignError } from '../errors.js';
import {
  acquireLibrary,
  CK,
  type Handle,
  type LibraryHandle,
  type Pkcs11Api,
  releaseLibrary,
} from '../pkcs11/binding.js';
import { pkcs11Mechanism } from '../pkcs11/mechanisms.js';
import {
  call,
  chainFromToken,
  type FoundKey,
  findKey,
  findSlot,
  pkcs11Error,
  slotId,
} from '../pkcs11/token.js';
import { checkDigest, checkSchemeFits, describePublicKey, type KeyDescription } from './algorithms.js';
import { parseChain } from './chain.js';
import { ecdsaRawToDer } from './der.js';
import { openHolding } from './held-secret.js';
import type { KeyStoreSigner, SignatureAlgorithm, SignContext, Signer } from './signer.js';
import { verifyDigestSignature } from './verify-digest.js';

/** Options of {@link pkcs11Signer}: one of `slot`/`tokenLabel`, one of `keyLabel`/`keyId`. */
export interface Pkcs11SignerOptions {
  /** Path of the PKCS#11 module: the HSM or smart-card vendor's library, OpenSC's, or SoftHSM2's. */
  library: string;
  /** Slot ID as `pkcs11-tool --list-slots` prints it. */
  slot?: number | bigint;
  /** The token's label (CKA_LABEL of the token, trailing blanks ignored). */
  tokenLabel?: string;
  /** The user PIN. Kept only in memory (needed again for keys that authenticate every signature). */
  pin: string;
  /** CKA_LABEL of the private key. */
  keyLabel?: string;
  /** CKA_ID of the private key, as hex or bytes. */
  keyId?: string | Uint8Array;
  /** CKA_LABEL of the certificate; default: the certificate with the key's CKA_ID. */
  certificateLabel?: string;
  /** The chain (signer first, DER or PEM) when the token holds no certificate, or to replace the token's. */
  certificateChain?: ReadonlyArray<Uint8Array | string>;
  logger?: Logger;
  logLevel?: LogLevel;
}

const optionsSchema = z
  .object({
    library: z.string().min(1).max(4096),
    slot: z.union([z.number().int().min(0), z.bigint().min(0n)]).optional(),
    tokenLabel: z.string().min(1).max(32).optional(),
    pin: z.string().min(1).max(256),
    keyLabel: z.string().min(1).max(256).optional(),
    keyId: z
      .union([z.string().regex(/^(?:[0-9a-fA-F]{2}){1,128}$/, 'hex'), z.instanceof(Uint8Array)])
      .optional(),
    certificateLabel: z.string().min(1).max(256).optional(),
    certificateChain: z
      .array(z.union([z.instanceof(Uint8Array), z.string()]))
      .min(1)
      .max(10)
      .optional(),
    logger: z.custom<Logger>((v) => typeof v === 'object' && v !== null).optional(),
    logLevel: z.enum(['debug', 'info', 'warn', 'error', 'silent']).optional(),
  })
  .strict()
  .refine((o) => (o.slot === undefined) !== (o.tokenLabel === undefined), {
    message: 'give exactly one of slot and tokenLabel',
  })
  .refine((o) => (o.keyLabel === undefined) !== (o.keyId === undefined), {
    message: 'give exactly one of keyLabel and keyId',
  });

/**
 * A signer whose private key stays on a PKCS#11 token (an HSM, a smart card, SoftHSM2). Needs the optional
 * peer dependency `pkcs11js`. Signs digests with CKM_RSA_PKCS (over a DigestInfo), CKM_RSA_PKCS_PSS or
 * CKM_ECDSA (returned DER-encoded). The certificate chain comes from the token or from `certificateChain`;
 * a certificate that does not belong to the key is refused before anything is signed. Call `close()`.
 *
 * @example
 * ```ts
 * const signer = await pkcs11Signer({
 *   library: '/usr/lib/softhsm/libsofthsm2.so',
 *   tokenLabel: 'saraban',
 *   pin: process.env.TOKEN_PIN!,
 *   keyLabel: 'director-2026',
 * });
 * try {
 *   const signature = await signer.sign(digest, { scheme: 'RSASSA-PKCS1-v1_5', digest: 'SHA-256' });
 * } finally {
 *   await signer.close();
 * }
 * ```
 */
export async function pkcs11Signer(options: Pkcs11SignerOptions): Promise<KeyStoreSigner> {
  // The PIN is masked for the signer's life, released by close().
  return openHolding(options?.pin, () => openSigner(options));
}

async function openSigner(options: Pkcs11SignerOptions): Promise<KeyStoreSigner> {
  const o = validateOptions(optionsSchema, options, 'pkcs11Signer options') as Pkcs11SignerOptions;
  const log = new SafeLogger(o.logger, o.logLevel);
  const library = await acquireLibrary(o.library);
  const { api } = library;
  let session: Handle | undefined;
  try {
    const slot = findSlot(api, o.slot !== undefined ? { slot: o.slot } : { tokenLabel: o.tokenLabel ?? '' });
    const opened = call(
      () => api.C_OpenSession(slot, CK.CKF_SERIAL_SESSION),
      'ERR_ESIGN_PKCS11_TOKEN',
      'Opening a session',
    );
    session = opened;
    login(library, slot, opened, o.pin);
    const key = findKey(
      api,
      opened,
      o.keyLabel !== undefined ? { keyLabel: o.keyLabel } : { keyId: keyIdBytes(o.keyId) },
    );
    const chain = o.certificateChain
      ? parseChain(o.certificateChain)
      : chainFromToken(api, opened, key, o.certificateLabel);
    const leaf = chain[0];
    if (!leaf) {
      throw new EsignError('ERR_ESIGN_PKCS11_CERTIFICATE', 'The token holds no certificate for the key', {
        hint: 'Pass certificateChain, or name the certificate object with certificateLabel.',
      });
    }
    const description = describePublicKey(leaf.publicKey);
    checkKeyMatches(key, leaf, description);
    log.debug('pkcs11 signer opened', { keyType: key.keyType, certificates: chain.length });
    return new Pkcs11Signer(api, o.library, opened, key, chain, description, o.pin);
  } catch (err) {
    if (session) closeQuietly(api, session);
    await releaseLibrary(o.library);
    throw err;
  }
}

function keyIdBytes(id: string | Uint8Array | undefined): Uint8Array {
  return typeof id === 'string' ? Buffer.from(id, 'hex') : (id ?? new Uint8Array(0));
}

const PIN_SALT = randomBytes(16);
const pinHash = (pin: string) => createHash('sha256').update(PIN_SALT).update(pin).digest();

function login(library: LibraryHandle, slot: Handle, session: Handle, pin: string): void {
  const id = slotId(slot);
  try {
    library.api.C_Login(session, CK.CKU_USER, pin);
    library.logins.set(id, pinHash(pin));
  } catch (cause) {
    if (!/CKR_USER_ALREADY_LOGGED_IN/.test(String((cause as Error)?.message))) {
      throw pkcs11Error(cause, 'ERR_ESIGN_PKCS11_TOKEN', 'Logging in to the token');
    }
    // Another signer of this process logged the token in (login state is per token): the token cannot check
    // this PIN now, so it must be the one that did, or the caller gets a token it never unlocked.
    const known = library.logins.get(id);
    if (known && !timingSafeEqual(known, pinHash(pin))) {
      throw new EsignError(
        'ERR_ESIGN_PKCS11_PIN',
        'The PIN differs from the one this token is logged in with',
        {
          pkcs11Code: 'CKR_PIN_INCORRECT',
        },
      );
    }
  }
}

/** Cheap, attribute-level check (RSA modulus, key family); the first signature is verified as well. */
function checkKeyMatches(key: FoundKey, certificate: X509Certificate, description: KeyDescription): void {
  const hex = (b: Buffer) => b.toString('hex').replace(/^(?:00)+/, '');
  const n = description.type === 'rsa' ? certificate.publicKey.export({ format: 'jwk' }).n : undefined;
  const mismatch =
    key.keyType !== description.type ||
    (n !== undefined && key.modulus !== undefined && hex(key.modulus) !== hex(Buffer.from(n, 'base64url')));
  if (mismatch) {
    throw new EsignError(
      'ERR_ESIGN_PKCS11_CERTIFICATE',
      'The certificate does not belong to the private key',
      {
        hint: "Check certificateLabel / certificateChain: the first certificate must be the key's own.",
      },
    );
  }
}

function closeQuietly(api: Pkcs11Api, session: Handle): void {
  try {
    api.C_CloseSession(session);
  } catch {
    // The token may have been removed; nothing else to release.
  }
}

class Pkcs11Signer implements Signer {
  readonly certificateChain: readonly Uint8Array[];
  readonly schemes: Signer['schemes'];
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  #verified = false;

  constructor(
    private readonly api: Pkcs11Api,
    private readonly library: string,
    private readonly session: Handle,
    private readonly key: FoundKey,
    private readonly chain: X509Certificate[],
    private readonly description: KeyDescription,
    private readonly pin: string,
  ) {
    this.certificateChain = Object.freeze(chain.map((c) => new Uint8Array(c.raw)));
    this.schemes = Object.freeze([...description.schemes]);
  }

  sign(digest: Uint8Array, algorithm: SignatureAlgorithm, context?: SignContext): Promise<Uint8Array> {
    checkDigest(digest, algorithm);
    checkSchemeFits(this.description, algorithm);
    // A PKCS#11 session runs one operation at a time: calls queue up behind each other.
    const run = this.#queue.then(() => this.#signNow(digest, algorithm, context));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #signNow(
    digest: Uint8Array,
    algorithm: SignatureAlgorithm,
    context?: SignContext,
  ): Promise<Uint8Array> {
    if (this.#closed) throw new EsignError('ERR_ESIGN_SIGNER_CLOSED', 'This PKCS#11 signer was closed');
    context?.abortSignal?.throwIfAborted();
    const { mechanism, input } = pkcs11Mechanism(digest, algorithm);
    const { api, session } = this;
    call(
      () => api.C_SignInit(session, mechanism, this.key.handle),
      'ERR_ESIGN_PKCS11_SIGN',
      'Starting the signature',
    );
    if (this.key.alwaysAuthenticate) {
      call(
        () => api.C_Login(session, CK.CKU_CONTEXT_SPECIFIC, this.pin),
        'ERR_ESIGN_PKCS11_SIGN',
        'Authenticating the signature',
      );
    }
    let raw: Buffer;
    try {
      raw = await api.C_SignAsync(session, Buffer.from(input), Buffer.alloc(1024));
    } catch (cause) {
      throw pkcs11Error(cause, 'ERR_ESIGN_PKCS11_SIGN', 'Signing on the token');
    }
    const signature = algorithm.scheme === 'ECDSA' ? ecdsaRawToDer(raw) : new Uint8Array(raw);
    if (!this.#verified) {
      const leaf = this.chain[0] as X509Certificate;
      if (!verifyDigestSignature(leaf.publicKey, digest, algorithm, signature)) {
        throw new EsignError(
          'ERR_ESIGN_PKCS11_CERTIFICATE',
          'The certificate does not belong to the private key (its first signature does not verify)',
        );
      }
      this.#verified = true;
    }
    return signature;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue;
    closeQuietly(this.api, this.session);
    await releaseLibrary(this.library);
    unregisterSecret(this.pin);
  }
}
