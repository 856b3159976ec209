import { z } from '@thgov/core/internal';

/**
 * The CSC API v2.0.0.2 answers thgov reads, as zod schemas: what is required is required, unknown members are
 * allowed (services add their own), and strings that become bytes are checked to be base64 first.
 */

/**
 * Services write base64 with MIME line breaks (Java's encoder) or in the URL-safe alphabet: both are read as
 * standard base64 (whitespace dropped, `-_` mapped to `+/`), then checked like any other.
 */
const base64 = z
  .string()
  .max(1_100_000)
  .transform((s) =>
    s
      .replace(/[\r\n\t ]+/g, '')
      .replace(/-/g, '+')
      .replace(/_/g, '/'),
  )
  .pipe(
    z
      .string()
      .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64')
      .max(1_000_000),
  );

/** Kept loose: services add members of their own (the sandbox advertises its TSA, OCSP and CRLs). */
export const infoSchema = z.looseObject({
  specs: z.string().max(100),
  name: z.string().max(500),
  region: z.string().max(100).optional(),
  lang: z.string().max(50).optional(),
  authType: z.array(z.string().max(100)).max(20).optional(),
  oauth2: z.string().max(2048).optional(),
  oauth2Issuer: z.string().max(2048).optional(),
  methods: z.array(z.string().max(100)).max(100),
});
/** The `info` answer: specification version, service name, OAuth2 issuer, methods (and the service's own members). */
export type CscInfo = z.infer<typeof infoSchema>;

const keySchema = z.object({
  status: z.enum(['enabled', 'disabled']),
  algo: z
    .array(z.string().regex(/^\d+(\.\d+)+$/, 'not an OID'))
    .min(1)
    .max(50),
  len: z.number().int().positive(),
  curve: z
    .string()
    .regex(/^\d+(\.\d+)+$/, 'not an OID')
    .optional(),
});

const certSchema = z.object({
  status: z.enum(['valid', 'expired', 'revoked', 'suspended']).optional(),
  certificates: z.array(base64).max(10).optional(),
  issuerDN: z.string().max(2048).optional(),
  serialNumber: z.string().max(200).optional(),
  subjectDN: z.string().max(2048).optional(),
  validFrom: z.string().max(50).optional(),
  validTo: z.string().max(50).optional(),
});

const authObjectSchema = z.object({
  type: z.string().max(50),
  id: z.string().max(50).optional(),
  format: z.string().max(10).optional(),
  generator: z.string().max(200).optional(),
  label: z.string().max(500).optional(),
  description: z.string().max(2000).optional(),
});

/** v1.0.4's `PIN` / `OTP` members (`presence` "true" | "false" | "optional"), which v2 folded into `auth`. */
const v1AuthObjectSchema = z.object({
  presence: z.enum(['true', 'false', 'optional']),
  format: z.string().max(10).optional(),
  label: z.string().max(500).optional(),
  description: z.string().max(2000).optional(),
});

const credentialInfoObject = z.object({
  description: z.string().max(2000).optional(),
  signatureQualifier: z.string().max(100).optional(),
  key: keySchema,
  cert: certSchema.optional(),
  auth: z
    .object({
      mode: z.enum(['implicit', 'explicit', 'oauth2code']),
      expression: z.string().max(500).optional(),
      objects: z.array(authObjectSchema).max(10).optional(),
    })
    .optional(),
  SCAL: z.enum(['1', '2']).optional(),
  multisign: z.number().int().min(1).max(10_000),
  lang: z.string().max(50).optional(),
  /** v1.0.4: the auth mode, with `PIN` and `OTP` beside it (v2: `auth`). */
  authMode: z.enum(['implicit', 'explicit', 'oauth2code']).optional(),
  PIN: v1AuthObjectSchema.optional(),
  OTP: v1AuthObjectSchema.optional(),
});

/**
 * A v1.0.4 answer (`authMode`, `PIN`, `OTP`, no `auth`) is read as v2's `auth` and marked `specVersion: '1'`,
 * so that authorize and signHash are then sent with v1's member names.
 */
function fromV1<T extends z.infer<typeof credentialInfoObject>>(info: T): T & { specVersion?: '1' } {
  if (info.auth || !info.authMode) return info;
  const objects = (['PIN', 'OTP'] as const)
    .filter((id) => info[id]?.presence === 'true')
    .map((id) => ({ type: id === 'PIN' ? 'Password' : 'Otp', id }));
  return { ...info, auth: { mode: info.authMode, objects }, specVersion: '1' };
}

export const credentialInfoSchema = credentialInfoObject.transform(fromV1);
/** The `credentials/info` answer: key (status, algorithm OIDs, length, curve), certificates, auth mode, SCAL, multisign. */
export type CscCredentialInfo = z.infer<typeof credentialInfoSchema>;

export const credentialListSchema = z.object({
  credentialIDs: z.array(z.string().min(1).max(500)).max(1000),
  credentialInfos: z
    .array(credentialInfoObject.extend({ credentialID: z.string().max(500) }).transform(fromV1))
    .max(1000)
    .optional(),
  onlyValid: z.boolean().optional(),
  nextPageToken: z.string().max(2000).optional(),
});
/** The `credentials/list` answer: credential IDs, with their info when asked. */
export type CscCredentialList = z.infer<typeof credentialListSchema>;

export const authorizeSchema = z.object({
  SAD: z.string().min(1).max(10_000),
  expiresIn: z.number().int().min(0).max(86_400).optional(),
});

export const signHashSchema = z.object({
  signatures: z.array(base64).max(10_000),
});

/** The error body every CSC method answers with (RFC 6749 style). */
export const errorSchema = z.object({
  error: z.string().max(200),
  error_description: z.string().max(2000).optional(),
});
