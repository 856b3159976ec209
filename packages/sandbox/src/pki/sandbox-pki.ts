import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type CryptoKey, type TimeStampFunction, toPem } from '@thgov/pki';
import * as pkijs from 'pkijs';
import { listen, type RunningServer } from '../http-server.js';
import { englishFullName, type SandboxPerson, thaiFullName } from '../people.js';
import { SandboxAuthority } from './authority.js';
import { pkiResponder } from './responders.js';
import { sandboxTranscriptXml } from './transcript-xml.js';

/** A certificate of the sandbox PKI with its private key. */
export interface SandboxIdentity {
  /** DER certificate. */
  certificate: Uint8Array;
  privateKey: CryptoKey;
  serialNumber: number;
}

/** Options of `startSandboxPki`: where it listens, its clock, the institution and the transcript font. */
export interface SandboxPkiOptions {
  host?: string;
  port?: number;
  /** Clock used for certificates, CRLs, OCSP and time-stamps. Default: Date.now. */
  now?: () => Date;
  institution?: string;
  /**
   * TrueType font for the transcript page (embedded, so transcripts are PDF/A and show Thai names).
   * Default: Sarabun bundled with @thgov/transcript (from npm), regular and bold: every machine issues the
   * same document, whatever fonts it has installed.
   */
  fontFile?: string;
}

/** An explicit `fontFile` must be readable; without one the bundled Sarabun is used (no system lookup). */
async function loadFonts(fontFile: string | undefined): Promise<{ font?: Uint8Array }> {
  if (fontFile) {
    try {
      return { font: new Uint8Array(await readFile(fontFile)) };
    } catch (cause) {
      // The documented issuing code: the sandbox has no error-code list of its own.
      const { TranscriptError } = await import('@thgov/transcript');
      throw new TranscriptError(
        'ERR_TRANSCRIPT_ISSUE',
        `The sandbox cannot read the transcript font ${fontFile}`,
        {
          cause,
          hint: 'Check the fontFile option.',
        },
      );
    }
  }
  return {};
}

/** The running sandbox PKI: CA hierarchy, CRLs, OCSP, time-stamps, signing certificates and sample transcripts. */
export interface SandboxPki {
  /** Base URL of the PKI endpoints (`/pki/root.crt`, `/pki/ca.crl`, `/pki/ocsp`, `/pki/tsa` …). */
  url: string;
  root: SandboxIdentity;
  issuingCa: SandboxIdentity;
  /** The university's signing identity. */
  signer: SandboxIdentity;
  tsa: SandboxIdentity;
  /** PEM of the root: what a verifier configures as its trust anchor. */
  rootPem: string;
  timeStamp: TimeStampFunction;
  /** Current CRLs (issuing CA's, root's), signed now. */
  crls(): Promise<{ ca: Uint8Array; root: Uint8Array }>;
  /** Revokes a certificate issued by the issuing CA (seen by the CRL and OCSP at once). */
  revoke(serialNumber: number, date?: Date): void;
  /**
   * Issues an end-entity signing certificate from the issuing CA for a key made elsewhere (CRL and OCSP URLs
   * included, OCSP answers for it). Used by the remote signing service for its officers' credentials.
   */
  issueSigningCertificate(spec: {
    commonName: string;
    organization?: string;
    publicKey: CryptoKey;
    notBefore?: Date;
    notAfter?: Date;
  }): Promise<{ certificate: Uint8Array; serialNumber: number }>;
  /**
   * A further signer under the issuing CA (next free serial, known to OCSP): for a sample that must not touch
   * the university's own signer, such as a revoked one.
   */
  createSigner(commonName: string): Promise<SandboxIdentity>;
  /**
   * Issues a signed, time-stamped transcript for a sandbox person, with revocation data embedded; by the
   * university's signer unless `signer` names one from `createSigner`.
   */
  issueSandboxTranscript(
    person: SandboxPerson,
    options?: { subFilter?: 'adbe.pkcs7.detached' | 'ETSI.CAdES.detached'; signer?: SandboxIdentity },
  ): Promise<Uint8Array>;
  close(): Promise<void>;
}

function serialOf(der: Uint8Array): number {
  const c = pkijs.Certificate.fromBER(der.slice().buffer);
  return Number(c.serialNumber.toBigInt());
}

/**
 * A test PKI for the sandbox: root, issuing CA, university signer and TSA, with CRLs, an OCSP responder
 * and an RFC 3161 time-stamp endpoint served over HTTP on 127.0.0.1. Keys are generated at start-up.
 * The hierarchy is authority.ts, the endpoints responders.ts.
 */
export async function startSandboxPki(options: SandboxPkiOptions = {}): Promise<SandboxPki> {
  const now = options.now ?? (() => new Date());
  // The port comes first (the certificates name their CRL and OCSP URLs); until the CA exists, 503.
  let handler: (req: IncomingMessage, res: ServerResponse) => Promise<void> = async (_req, res) => {
    res.writeHead(503).end();
  };
  const server: RunningServer = await listen((req, res) => handler(req, res), {
    host: options.host ?? '127.0.0.1',
    ...(options.port ? { port: options.port } : {}),
  });
  const base = `${server.url}/pki`;
  const ca = await SandboxAuthority.create(base, now, options.institution);
  handler = pkiResponder(ca);
  const transcripts = transcriptIssuer(ca, options);
  return {
    url: base,
    root: ca.root,
    issuingCa: ca.issuingCa,
    signer: ca.signer,
    tsa: ca.tsa,
    rootPem: toPem(ca.root.certificate),
    timeStamp: ca.timeStamp,
    crls: () => ca.crls(),
    revoke(serialNumber, date = now()) {
      ca.revoked.set(serialNumber, date);
    },
    issueSigningCertificate: (spec) => ca.issueSigningCertificate(spec),
    createSigner: (commonName) => ca.createSigner(commonName),
    issueSandboxTranscript: transcripts,
    close: () => server.close(),
  };
}

/** `issueSandboxTranscript`: the fonts are read on first use, so a sandbox that never issues does not need them. */
function transcriptIssuer(
  ca: SandboxAuthority,
  options: SandboxPkiOptions,
): SandboxPki['issueSandboxTranscript'] {
  let fonts: Promise<{ font?: Uint8Array }> | undefined;
  return async (person, o = {}) => {
    fonts ??= loadFonts(options.fontFile);
    // A failed read is not cached: fixing the file fixes the next call.
    const pageFonts = await fonts.catch((err: unknown) => {
      fonts = undefined;
      throw err;
    });
    const c = await ca.crls();
    const signer = o.signer ?? ca.signer;
    // Loaded by the first transcript, not when the sandbox is imported (cold start).
    const { issueTranscript } = await import('@thgov/transcript/issue');
    return issueTranscript({
      ...pageFonts,
      requirePdfA: true,
      student: { nameTh: thaiFullName(person), nameEn: englishFullName(person) },
      institution: options.institution ?? 'Sandbox University',
      xml: sandboxTranscriptXml(person, options.institution),
      signer: { key: signer.privateKey, chain: [signer.certificate, ca.issuingCa.certificate] },
      revocation: { crls: [c.ca, c.root] },
      tsa: ca.timeStamp,
      subFilter: o.subFilter ?? 'adbe.pkcs7.detached',
      signingTime: ca.now(),
      title: 'Academic transcript (sandbox, TEST ONLY)',
      document: {
        referenceId: `SANDBOX-${serialOf(signer.certificate)}-${person.citizenId.slice(-4)}`,
        version: '1.0',
      },
    });
  };
}
