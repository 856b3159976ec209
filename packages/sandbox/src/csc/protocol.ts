import type { ServerResponse } from 'node:http';
import type { DigestAlgorithm, SignatureAlgorithm } from '@thgov/esign';
import * as asn1js from 'asn1js';
import { sendJson } from '../http-server.js';
import type { SandboxCscCredential } from './credentials.js';

/** A CSC error answer: nearly everything is `invalid_request` with the reason in `error_description`. */
export class CscFailure extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
  }
  send(res: ServerResponse): void {
    sendJson(res, this.status, { error: this.error, error_description: this.description });
  }
}

export const invalid = (description: string) => new CscFailure(400, 'invalid_request', description);

export const DIGESTS: Record<string, DigestAlgorithm> = {
  '2.16.840.1.101.3.4.2.1': 'SHA-256',
  '2.16.840.1.101.3.4.2.2': 'SHA-384',
  '2.16.840.1.101.3.4.2.3': 'SHA-512',
};
const DIGEST_LENGTH: Record<DigestAlgorithm, number> = { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 };

const RSA = '1.2.840.113549.1.1.1';
const PSS = '1.2.840.113549.1.1.10';
const EC = '1.2.840.10045.2.1';
/** signAlgo OIDs that fix their digest. */
const WITH_DIGEST: Record<string, { scheme: 'RSASSA-PKCS1-v1_5' | 'ECDSA'; digest: DigestAlgorithm }> = {
  '1.2.840.113549.1.1.11': { scheme: 'RSASSA-PKCS1-v1_5', digest: 'SHA-256' },
  '1.2.840.113549.1.1.12': { scheme: 'RSASSA-PKCS1-v1_5', digest: 'SHA-384' },
  '1.2.840.113549.1.1.13': { scheme: 'RSASSA-PKCS1-v1_5', digest: 'SHA-512' },
  '1.2.840.10045.4.3.2': { scheme: 'ECDSA', digest: 'SHA-256' },
  '1.2.840.10045.4.3.3': { scheme: 'ECDSA', digest: 'SHA-384' },
  '1.2.840.10045.4.3.4': { scheme: 'ECDSA', digest: 'SHA-512' },
};

/** The `key/algo` list of a credential in `credentials/info`. */
export function keyAlgorithms(c: SandboxCscCredential): string[] {
  return c.keyType === 'rsa'
    ? [RSA, '1.2.840.113549.1.1.11', '1.2.840.113549.1.1.12', '1.2.840.113549.1.1.13', PSS]
    : [EC, '1.2.840.10045.4.3.2', '1.2.840.10045.4.3.3', '1.2.840.10045.4.3.4'];
}

/** RSASSA-PSS-params: the service signs only the profile it can (same digest for MGF1, salt = digest length). */
function checkPssParams(base64: unknown, digest: DigestAlgorithm): void {
  if (typeof base64 !== 'string') throw invalid('Missing (or invalid type) string parameter signAlgoParams');
  const parsed = asn1js.fromBER(new Uint8Array(Buffer.from(base64, 'base64')));
  const seq = parsed.result as asn1js.Sequence;
  const fields = new Map<number, asn1js.AsnType>();
  for (const f of seq.valueBlock?.value ?? []) fields.set(f.idBlock.tagNumber, f);
  const inner = (tag: number) => (fields.get(tag) as asn1js.Constructed | undefined)?.valueBlock.value[0];
  const hashOid = (
    (inner(0) as asn1js.Sequence | undefined)?.valueBlock.value[0] as asn1js.ObjectIdentifier | undefined
  )?.valueBlock.toString();
  const salt = (inner(2) as asn1js.Integer | undefined)?.valueBlock.valueDec;
  if (parsed.offset === -1 || DIGESTS[hashOid ?? ''] !== digest || salt !== DIGEST_LENGTH[digest]) {
    throw invalid('Invalid parameter signAlgoParams');
  }
}

/** Reads signAlgo / hashAlgorithmOID / signAlgoParams into what to sign with, or refuses them. */
export function signatureAlgorithm(
  c: SandboxCscCredential,
  body: Record<string, unknown>,
): SignatureAlgorithm {
  const signAlgo = body.signAlgo;
  const hashOid = body.hashAlgorithmOID;
  if (typeof signAlgo !== 'string') throw invalid('Missing (or invalid type) string parameter signAlgo');
  if (!keyAlgorithms(c).includes(signAlgo)) throw invalid('Invalid parameter signAlgo');
  const fixed = WITH_DIGEST[signAlgo];
  const digest = fixed?.digest ?? DIGESTS[typeof hashOid === 'string' ? hashOid : ''];
  if (!digest || (hashOid !== undefined && DIGESTS[String(hashOid)] !== digest)) {
    throw invalid('Invalid parameter hashAlgorithmOID');
  }
  if (signAlgo === PSS) {
    checkPssParams(body.signAlgoParams, digest);
    return { scheme: 'RSA-PSS', digest };
  }
  return { scheme: fixed?.scheme ?? (signAlgo === EC ? 'ECDSA' : 'RSASSA-PKCS1-v1_5'), digest };
}

/** Base64 hashes of the right length for the digest, or a refusal. */
export function readHashes(value: unknown, digest: DigestAlgorithm | undefined, max: number): string[] {
  if (!Array.isArray(value) || value.length === 0)
    throw invalid('Missing (or invalid type) array parameter hashes');
  if (value.length > max) throw invalid('Numbers of signatures is too high');
  for (const h of value) {
    if (typeof h !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(h))
      throw invalid('Invalid Base64 hash string parameter');
    if (digest && Buffer.from(h, 'base64').length !== DIGEST_LENGTH[digest])
      throw invalid('Invalid digest value length');
  }
  return value as string[];
}

export async function sign(
  c: SandboxCscCredential,
  hashes: string[],
  algorithm: SignatureAlgorithm,
): Promise<string[]> {
  // Loaded by the first signature, not when the sandbox is imported: @thgov/esign's root entry holds its signers.
  const { signDigest } = await import('@thgov/esign');
  return hashes.map((h) =>
    Buffer.from(signDigest(c.privateKey, new Uint8Array(Buffer.from(h, 'base64')), algorithm)).toString(
      'base64',
    ),
  );
}
