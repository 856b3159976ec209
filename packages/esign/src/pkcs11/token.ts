import { X509Certificate } from 'node:crypto';
import { EsignError } from '../errors.js';
import {
  CK,
  type Handle,
  type Pkcs11Api,
  type Pkcs11Attribute,
  pkcs11CodeOf,
  sanitizeCause,
} from './binding.js';

/** Where the key is: a slot ID (as `pkcs11-tool --list-slots` prints it) or the token's label. */
export type TokenSelector = { slot: number | bigint } | { tokenLabel: string };
/** Which private key: its CKA_LABEL or its CKA_ID (hex string or bytes). */
export type KeySelector = { keyLabel: string } | { keyId: Uint8Array };

const PIN_CODES = new Set([
  'CKR_PIN_INCORRECT',
  'CKR_PIN_LOCKED',
  'CKR_PIN_EXPIRED',
  'CKR_PIN_INVALID',
  'CKR_PIN_LEN_RANGE',
]);

/** Runs a PKCS#11 call and turns its failure into a typed error (the PIN cases get their own code). */
export function call<T>(
  fn: () => T,
  code: 'ERR_ESIGN_PKCS11_TOKEN' | 'ERR_ESIGN_PKCS11_SIGN',
  what: string,
): T {
  try {
    return fn();
  } catch (cause) {
    throw pkcs11Error(cause, code, what);
  }
}

export function pkcs11Error(
  cause: unknown,
  code: 'ERR_ESIGN_PKCS11_TOKEN' | 'ERR_ESIGN_PKCS11_SIGN',
  what: string,
) {
  const pkcs11Code = pkcs11CodeOf(cause);
  if (pkcs11Code && PIN_CODES.has(pkcs11Code)) {
    return new EsignError('ERR_ESIGN_PKCS11_PIN', `The token refused the PIN (${pkcs11Code})`, {
      cause: sanitizeCause(cause),
      pkcs11Code,
      hint: 'Check the PIN. After several wrong PINs a token locks itself: its security officer must unblock it.',
    });
  }
  return new EsignError(code, `${what} failed${pkcs11Code ? ` (${pkcs11Code})` : ''}`, {
    cause: sanitizeCause(cause),
    ...(pkcs11Code ? { pkcs11Code } : {}),
  });
}

/** A slot handle's numeric ID (CK_ULONG in the platform's byte order: little-endian on every Node target). */
export function slotId(handle: Handle): bigint {
  return handle.length >= 8 ? handle.readBigUInt64LE(0) : BigInt(handle.readUInt32LE(0));
}

/**
 * A token label as compared: PKCS#11 pads the 32-byte field with blanks (some tokens with NULs), so trailing
 * ones carry no meaning, on the token's side or in the caller's option.
 */
export function tokenLabelKey(label: string): string {
  return label.replace(/[ \0]+$/, '');
}

export function findSlot(api: Pkcs11Api, selector: TokenSelector): Handle {
  const slots = call(() => api.C_GetSlotList(true), 'ERR_ESIGN_PKCS11_TOKEN', 'Listing the token slots');
  if ('slot' in selector) {
    const match = slots.find((s) => slotId(s) === BigInt(selector.slot));
    if (match) return match;
    throw new EsignError('ERR_ESIGN_PKCS11_TOKEN', `No token is present in slot ${selector.slot}`, {
      hint: 'List the tokens with `pkcs11-tool --module <library> --list-slots`.',
    });
  }
  const wanted = tokenLabelKey(selector.tokenLabel);
  const matches = slots.filter(
    (s) =>
      tokenLabelKey(
        call(() => api.C_GetTokenInfo(s), 'ERR_ESIGN_PKCS11_TOKEN', 'Reading token information').label,
      ) === wanted,
  );
  const [match] = matches;
  if (!match) {
    throw new EsignError('ERR_ESIGN_PKCS11_TOKEN', `No token labelled "${wanted}" is present`, {
      hint: 'List the tokens with `pkcs11-tool --module <library> --list-slots`.',
    });
  }
  // Tokens of one model often share a label (two officers' USB tokens, two cards in two readers): taking the
  // first would sign with, or spend PIN tries on, a token the caller did not mean.
  if (matches.length > 1) {
    throw new EsignError(
      'ERR_ESIGN_PKCS11_TOKEN',
      `More than one token is labelled "${wanted}" (slots ${matches.map(slotId).join(', ')})`,
      { hint: 'Select the token by slot instead.' },
    );
  }
  return match;
}

export function findObjects(
  api: Pkcs11Api,
  session: Handle,
  template: Pkcs11Attribute[],
  max: number,
): Handle[] {
  return call(
    () => {
      api.C_FindObjectsInit(session, template);
      try {
        return api.C_FindObjects(session, max);
      } finally {
        api.C_FindObjectsFinal(session);
      }
    },
    'ERR_ESIGN_PKCS11_TOKEN',
    'Searching the token',
  );
}

export function attribute(api: Pkcs11Api, session: Handle, object: Handle, type: number): Buffer | undefined {
  try {
    return api.C_GetAttributeValue(session, object, [{ type }])[0]?.value;
  } catch {
    // Sensitive or absent attributes answer CKR_ATTRIBUTE_SENSITIVE / _TYPE_INVALID: treated as unknown.
    return undefined;
  }
}

export interface FoundKey {
  handle: Handle;
  id: Buffer | undefined;
  keyType: 'rsa' | 'ec';
  /** Each signature needs a context-specific login (smart-card non-repudiation keys). */
  alwaysAuthenticate: boolean;
  /** RSA modulus, when the token lets it be read: compared with the certificate's. */
  modulus: Buffer | undefined;
  /** CKA_ALLOWED_MECHANISMS, when the key is limited to some mechanisms. */
  allowedMechanisms: number[] | undefined;
}

/** A CK_MECHANISM_TYPE array attribute (CK_ULONGs: 4 bytes on Windows, 8 on other 64-bit platforms). */
function mechanismArray(value: Buffer | undefined): number[] | undefined {
  if (!value || value.length === 0) return undefined;
  const size = process.platform === 'win32' ? 4 : 8;
  const out: number[] = [];
  for (let at = 0; at + size <= value.length; at += size) out.push(value.readUInt32LE(at));
  return out;
}

export function findKey(api: Pkcs11Api, session: Handle, selector: KeySelector): FoundKey {
  const template: Pkcs11Attribute[] = [
    { type: CK.CKA_CLASS, value: CK.CKO_PRIVATE_KEY },
    'keyLabel' in selector
      ? { type: CK.CKA_LABEL, value: selector.keyLabel }
      : { type: CK.CKA_ID, value: Buffer.from(selector.keyId) },
  ];
  const found = findObjects(api, session, template, 2);
  const what = 'keyLabel' in selector ? `labelled "${selector.keyLabel}"` : 'with that key ID';
  const [handle] = found;
  if (!handle) throw new EsignError('ERR_ESIGN_PKCS11_KEY', `No private key ${what} is on the token`);
  if (found.length > 1) {
    throw new EsignError('ERR_ESIGN_PKCS11_KEY', `More than one private key ${what} is on the token`, {
      hint: 'Select the key by keyId (CKA_ID) instead.',
    });
  }
  const type = attribute(api, session, handle, CK.CKA_KEY_TYPE)?.readUIntLE(0, 1);
  if (type !== CK.CKK_RSA && type !== CK.CKK_EC) {
    throw new EsignError('ERR_ESIGN_ALGORITHM', 'The private key is neither RSA nor EC');
  }
  const canSign = attribute(api, session, handle, CK.CKA_SIGN);
  if (canSign && canSign[0] === 0) {
    throw new EsignError(
      'ERR_ESIGN_PKCS11_KEY',
      `The private key ${what} is not allowed to sign (CKA_SIGN is false)`,
    );
  }
  return {
    handle,
    id: attribute(api, session, handle, CK.CKA_ID),
    keyType: type === CK.CKK_RSA ? 'rsa' : 'ec',
    alwaysAuthenticate: (attribute(api, session, handle, CK.CKA_ALWAYS_AUTHENTICATE)?.[0] ?? 0) !== 0,
    modulus: type === CK.CKK_RSA ? attribute(api, session, handle, CK.CKA_MODULUS) : undefined,
    allowedMechanisms: mechanismArray(attribute(api, session, handle, CK.CKA_ALLOWED_MECHANISMS)),
  };
}

function certificates(api: Pkcs11Api, session: Handle, extra: Pkcs11Attribute[]): X509Certificate[] {
  const template = [
    { type: CK.CKA_CLASS, value: CK.CKO_CERTIFICATE },
    { type: CK.CKA_CERTIFICATE_TYPE, value: CK.CKC_X_509 },
    ...extra,
  ];
  const out: X509Certificate[] = [];
  for (const handle of findObjects(api, session, template, 64)) {
    const der = attribute(api, session, handle, CK.CKA_VALUE);
    if (!der) continue;
    try {
      out.push(new X509Certificate(der));
    } catch {
      // A malformed certificate object on the token is skipped, not fatal: it is not the signer's.
    }
  }
  return out;
}

/**
 * Of several certificates for one key (renewed on the same key, both kept on the token: their CKA_ID and often
 * their label are the same), the one valid now, the most recently issued first; the token's order means nothing.
 */
function newestValid(candidates: X509Certificate[], now = Date.now()): X509Certificate | undefined {
  const from = (c: X509Certificate) => Date.parse(c.validFrom);
  const valid = (c: X509Certificate) => from(c) <= now && now <= Date.parse(c.validTo);
  return [...candidates].sort((a, b) => Number(valid(b)) - Number(valid(a)) || from(b) - from(a))[0];
}

/**
 * The signer's certificate (by `certificateLabel`, else the one sharing the key's CKA_ID) followed by the
 * issuers the token also holds, in chain order. Empty when the token has no certificate for the key.
 */
export function chainFromToken(
  api: Pkcs11Api,
  session: Handle,
  key: FoundKey,
  certificateLabel: string | undefined,
): X509Certificate[] {
  const selector = certificateLabel
    ? [{ type: CK.CKA_LABEL, value: certificateLabel }]
    : key.id
      ? [{ type: CK.CKA_ID, value: key.id }]
      : undefined;
  if (!selector) return [];
  const leaf = newestValid(certificates(api, session, selector));
  if (!leaf) return [];
  const pool = certificates(api, session, []);
  const chain = [leaf];
  for (let current = leaf; chain.length < 10; ) {
    if (current.checkIssued(current)) break; // self-signed: the root
    const issuer = pool.find(
      (c) =>
        c.fingerprint256 !== current.fingerprint256 && current.checkIssued(c) && current.verify(c.publicKey),
    );
    if (!issuer) break;
    chain.push(issuer);
    current = issuer;
  }
  return chain;
}
