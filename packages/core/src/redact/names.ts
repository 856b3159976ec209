/**
 * Which header, parameter and field names hold secrets or personal data. Names are compared in one
 * normal form (lower case, no `-`, `_`, `.` or spaces), so `accessToken`, `access_token`, `ACCESS-TOKEN`
 * and `Access.Token` are one name.
 */

/** `accessToken`, `access_token`, `X-Access-Token` → `accesstoken`, `xaccesstoken`. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.\s]/g, '');
}

const normalized = (names: readonly string[]) => new Set(names.map(normalizeName));

/** Values that are secret whatever they look like (exact names). */
const SECRET_NAMES = normalized([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'token',
  'consumer-key',
  'consumer-secret',
  'consumer',
  'x-imauth-apikey',
  'api-key',
  'x-api-key',
  'access-token',
  'refresh-token',
  'id-token',
  'id-token-hint',
  'client-secret',
  'client-assertion',
  'code-verifier',
  'password',
  'passphrase',
  'secret',
  'private-key',
  'key',
  'pfx',
  'dpop',
  // What an officer types or a signing service grants (CSC `authData` and its signature activation data).
  'pin',
  'otp',
  'sad',
  'saml-response',
  'session',
  'session-id',
  // GDX answers validate with `{"Result": token}`.
  'result',
]);

/** Any name ending like this is secret too (`gdxToken`, `subject_token`, `hmacSecret`, `smtpPassword`). */
const SECRET_SUFFIXES = [
  'token',
  'secret',
  'password',
  'passphrase',
  'apikey',
  'privatekey',
  'verifier',
  'assertion',
];

/** Values that are personal data: masked in URLs and objects, whatever their content. */
const PERSONAL_NAMES = normalized([
  'citizen-id',
  'pid',
  'national-id',
  'personal-id',
  'id-card',
  'id-card-number',
  'id-card-no',
  'agent-id',
  'first-name',
  'last-name',
  'middle-name',
  'full-name',
  'given-name',
  'family-name',
  'name',
  'name-en',
  'name-th',
  'given-name-en',
  'family-name-en',
  'be-birth-date',
  'birthdate',
  'date-of-birth',
  'laser-code',
  'x-road-userid',
  // Short and contact spellings (`fname`/`lname` in DOPA-style records, OIDC `email`, `phone_number`).
  // Not `address`: in Node's socket errors it is the peer's IP, which diagnosing a failed call needs (DOPA
  // addresses travel as houseNo, roadDesc and the like; an OIDC `address` claim sits under `claims`).
  'fname',
  'lname',
  'email',
  'phone',
  'phone-number',
  'mobile',
  // digital-id's DigitalIdentity.names ({ th, en } of title/given/family/full): every value in it is a
  // person's name. Its inner keys are not listed: `title`, `full` and `family` (an IP address family) are
  // ordinary words elsewhere (a dataset title, Node's socket errors).
  'names',
]);

/** True for names whose values are secrets or personal data (headers, JSON fields, logged context keys). */
export function isSensitiveName(name: string): boolean {
  const n = normalizeName(name);
  if (SECRET_NAMES.has(n) || PERSONAL_NAMES.has(n)) return true;
  for (const suffix of SECRET_SUFFIXES) if (n.endsWith(suffix)) return true;
  return false;
}

/**
 * True for query parameters and form fields whose values must be masked: the sensitive names, plus `code`,
 * which in a query string or form body is an OAuth authorization code (elsewhere `code` is an error code,
 * the one thing a log reader needs).
 */
export function isSensitiveParam(name: string): boolean {
  return isSensitiveName(name) || normalizeName(name) === 'code';
}
