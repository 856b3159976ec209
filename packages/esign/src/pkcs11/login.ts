import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { EsignError } from '../errors.js';
import { CK, type Handle, type LibraryHandle, pkcs11CodeOf } from './binding.js';
import { pkcs11Error, slotId } from './token.js';

const PIN_SALT = randomBytes(16);
const pinHash = (pin: string) => createHash('sha256').update(PIN_SALT).update(pin).digest();

/**
 * Logs the user in for a new session of `slot`. Login state is per token and application, not per session:
 * a second signer of the process finds the token logged in (CKR_USER_ALREADY_LOGGED_IN), and the token cannot
 * check its PIN then. thgov remembers the PIN (hashed) it logged in with and holds the caller to it; a login
 * it did not make (other code of the process) vouches for no PIN, so it is refused rather than trusted.
 */
export function login(library: LibraryHandle, slot: Handle, session: Handle, pin: string): void {
  const id = slotId(slot);
  const known = library.logins.get(id);
  try {
    library.api.C_Login(session, CK.CKU_USER, pin);
    library.logins.set(id, { pinHash: pinHash(pin), sessions: (known?.sessions ?? 0) + 1 });
    return;
  } catch (cause) {
    if (pkcs11CodeOf(cause) !== 'CKR_USER_ALREADY_LOGGED_IN') {
      throw pkcs11Error(cause, 'ERR_ESIGN_PKCS11_TOKEN', 'Logging in to the token');
    }
  }
  if (!known) {
    throw new EsignError(
      'ERR_ESIGN_PKCS11_TOKEN',
      'The token is already logged in by other code of this process, so the PIN cannot be checked',
      {
        pkcs11Code: 'CKR_USER_ALREADY_LOGGED_IN',
        hint: 'Open the signer before other code logs in to the token, or have that code log out first.',
      },
    );
  }
  if (!timingSafeEqual(known.pinHash, pinHash(pin))) {
    throw new EsignError(
      'ERR_ESIGN_PKCS11_PIN',
      'The PIN differs from the one this token is logged in with',
      {
        pkcs11Code: 'CKR_PIN_INCORRECT',
      },
    );
  }
  known.sessions++;
}

/**
 * Ends a session {@link login} counted. The last thgov session of a token logs it out first: otherwise the login
 * outlives every signer as long as any other session of the process is open on the token (a monitoring
 * session, another library's), and that session could use the private keys without a PIN.
 */
export function endSession(library: LibraryHandle, slot: Handle, session: Handle, loggedIn: boolean): void {
  const id = slotId(slot);
  const known = library.logins.get(id);
  if (loggedIn && known && --known.sessions <= 0) {
    library.logins.delete(id);
    try {
      library.api.C_Logout(session);
    } catch {
      // The session or the token is gone already; so is the login.
    }
  }
  try {
    library.api.C_CloseSession(session);
  } catch {
    // The token may have been removed; nothing else to release.
  }
}
