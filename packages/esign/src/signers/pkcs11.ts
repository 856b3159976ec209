import type { X509Certificate } from 'node:crypto';
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
import { endSession, login } from '../pkcs11/login.js';
import { pkcs11Mechanism, SCHEME_MECHANISM, usableSchemes } from '../pkcs11/mechanisms.js';
import { call, chainFromToken, type FoundKey, findKey, findSlot, pkcs11Error } from '../pkcs11/token.js';
import { checkDigest, checkSchemeFits, describePublicKey, type KeyDescription } from './algorithms.js';
import { parseChain } from './chain.js';
import { ecdsaRawToDer } from './der.js';
import { openHolding } from './held-secret.js';
import type { KeyStoreSigner, SignatureAlgorithm, SignatureScheme, SignContext, Signer } from './signer.js';
import { verifyDigestSignature } from './verify-digest.js';

/** Options of {@link pkcs11Signer}: one of `slot`/`tokenLabel`, one of `keyLabel`/`keyId`. */
export interface Pkcs11SignerOptions {
  /** Path of the PKCS#11 module: the HSM or smart-card vendor's library, OpenSC's, or SoftHSM2's. */
  library: string;
  /** Slot ID as `pkcs11-tool --list-slots` prints it. */
  slot?: number | bigint;
  /** The token's label (trailing blanks ignored). Refused when several present tokens carry it: use `slot`. */
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
 * CKM_ECDSA (returned DER-encoded); `schemes` lists only those the token offers for the key, and a key it
 * offers none of them for is refused when the signer opens. The certificate chain comes from the token (of
 * several for the key, the one valid now) or from `certificateChain`; a certificate that does not belong to
 * the key is refused before anything is signed. Call `close()`: the last signer of a token logs it out.
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
  let opened: { slot: Handle; session: Handle; loggedIn: boolean } | undefined;
  try {
    const slot = findSlot(api, o.slot !== undefined ? { slot: o.slot } : { tokenLabel: o.tokenLabel ?? '' });
    const session = call(
      () => api.C_OpenSession(slot, CK.CKF_SERIAL_SESSION),
      'ERR_ESIGN_PKCS11_TOKEN',
      'Opening a session',
    );
    opened = { slot, session, loggedIn: false };
    login(library, slot, session, o.pin);
    opened.loggedIn = true;
    const key = findKey(
      api,
      session,
      o.keyLabel !== undefined ? { keyLabel: o.keyLabel } : { keyId: keyIdBytes(o.keyId) },
    );
    const chain = o.certificateChain
      ? parseChain(o.certificateChain)
      : chainFromToken(api, session, key, o.certificateLabel);
    const leaf = chain[0];
    if (!leaf) {
      throw new EsignError('ERR_ESIGN_PKCS11_CERTIFICATE', 'The token holds no certificate for the key', {
        hint: 'Pass certificateChain, or name the certificate object with certificateLabel.',
      });
    }
    const description = describePublicKey(leaf.publicKey);
    checkKeyMatches(key, leaf, description);
    const schemes = usableSchemes(api, slot, key.allowedMechanisms, description.schemes);
    log.debug('pkcs11 signer opened', { keyType: key.keyType, certificates: chain.length, schemes });
    return new Pkcs11Signer(library, opened, key, chain, description, schemes, o.pin);
  } catch (err) {
    if (opened) endSession(library, opened.slot, opened.session, opened.loggedIn);
    await releaseLibrary(library.path);
    throw err;
  }
}

function keyIdBytes(id: string | Uint8Array | undefined): Uint8Array {
  return typeof id === 'string' ? Buffer.from(id, 'hex') : (id ?? new Uint8Array(0));
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

class Pkcs11Signer implements Signer {
  readonly certificateChain: readonly Uint8Array[];
  readonly schemes: Signer['schemes'];
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  #verified = false;

  private readonly api: Pkcs11Api;
  private readonly session: Handle;

  constructor(
    private readonly library: LibraryHandle,
    private readonly opened: { slot: Handle; session: Handle; loggedIn: boolean },
    private readonly key: FoundKey,
    private readonly chain: X509Certificate[],
    private readonly description: KeyDescription,
    /** What the token can do with the key: the certificate's schemes whose mechanism it offers. */
    schemes: readonly SignatureScheme[],
    private readonly pin: string,
  ) {
    this.api = library.api;
    this.session = opened.session;
    this.certificateChain = Object.freeze(chain.map((c) => new Uint8Array(c.raw)));
    this.schemes = Object.freeze([...schemes]);
  }

  sign(digest: Uint8Array, algorithm: SignatureAlgorithm, context?: SignContext): Promise<Uint8Array> {
    checkDigest(digest, algorithm);
    checkSchemeFits(this.description, algorithm);
    if (!this.schemes?.includes(algorithm.scheme)) {
      throw new EsignError(
        'ERR_ESIGN_ALGORITHM',
        `The token offers no ${SCHEME_MECHANISM[algorithm.scheme].name} for this key (it signs with ${this.schemes?.join(', ')})`,
      );
    }
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
      try {
        api.C_Login(session, CK.CKU_CONTEXT_SPECIFIC, this.pin);
      } catch (cause) {
        // The refused login leaves the operation C_SignInit started active: every later C_SignInit of the
        // session would be CKR_OPERATION_ACTIVE. A C_Sign that fails (not authenticated) ends it (PKCS#11 2.40
        // has no call to cancel an operation).
        try {
          api.C_Sign(session, Buffer.from(input), Buffer.alloc(1024));
        } catch {
          // Expected: CKR_USER_NOT_LOGGED_IN, and the operation is over.
        }
        throw pkcs11Error(cause, 'ERR_ESIGN_PKCS11_SIGN', 'Authenticating the signature');
      }
    }
    let raw: Buffer;
    try {
      const out = Buffer.alloc(1024);
      raw = this.library.threadSafe
        ? await api.C_SignAsync(session, Buffer.from(input), out)
        : api.C_Sign(session, Buffer.from(input), out);
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
    endSession(this.library, this.opened.slot, this.session, this.opened.loggedIn);
    await releaseLibrary(this.library.path);
    unregisterSecret(this.pin);
  }
}
