import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type CryptoKey, type TimeStampFunction, toPem } from '@thgov/pki';
import {
  createCertificate,
  createCrl,
  createOcspResponse,
  createTimeStampAuthority,
  generateSigningKeyPair,
} from '@thgov/pki/testing';
import { issueTranscript, TranscriptError } from '@thgov/transcript';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { listen, type RunningServer, readBody } from '../http-server.js';
import { englishFullName, type SandboxPerson, thaiFullName } from '../people.js';
import { sandboxTranscriptXml } from './transcript-xml.js';

const DAY = 86_400_000;

export interface SandboxIdentity {
  /** DER certificate. */
  certificate: Uint8Array;
  privateKey: CryptoKey;
  serialNumber: number;
}

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
 */
export async function startSandboxPki(options: SandboxPkiOptions = {}): Promise<SandboxPki> {
  const now = options.now ?? (() => new Date());
  // Read on first issue, so a sandbox that never issues a transcript does not need the font.
  let fonts: Promise<{ font?: Uint8Array }> | undefined;
  const revoked = new Map<number, Date>();
  let crlNumber = 1;
  let handler: (req: IncomingMessage, res: ServerResponse) => Promise<void> = async (_req, res) => {
    res.writeHead(503).end();
  };
  const server: RunningServer = await listen((req, res) => handler(req, res), {
    host: options.host ?? '127.0.0.1',
    ...(options.port ? { port: options.port } : {}),
  });
  const base = `${server.url}/pki`;
  const t0 = now();
  const mk = async (
    cn: string,
    serialNumber: number,
    issuer: SandboxIdentity | undefined,
    extra: Partial<Parameters<typeof createCertificate>[0]>,
  ): Promise<SandboxIdentity> => {
    const kp = await generateSigningKeyPair();
    const certificate = await createCertificate({
      subject: { commonName: cn, organization: 'thgov sandbox (TEST ONLY)', country: 'TH' },
      publicKey: kp.publicKey,
      signingKey: issuer ? issuer.privateKey : kp.privateKey,
      ...(issuer ? { issuer: { certificate: issuer.certificate } } : {}),
      serialNumber,
      notBefore: new Date(t0.getTime() - DAY),
      notAfter: new Date(t0.getTime() + 2 * 365 * DAY),
      ...extra,
    });
    return { certificate, privateKey: kp.privateKey, serialNumber };
  };
  const root = await mk('Sandbox Root CA', 1, undefined, {
    ca: true,
    keyUsage: ['keyCertSign', 'cRLSign'],
    notAfter: new Date(t0.getTime() + 10 * 365 * DAY),
  });
  const issuingCa = await mk('Sandbox Issuing CA', 2, root, {
    ca: true,
    pathLength: 0,
    keyUsage: ['keyCertSign', 'cRLSign'],
    crlUrl: `${base}/root.crl`,
  });
  const signer = await mk(options.institution ?? 'Sandbox University Registrar', 1000, issuingCa, {
    keyUsage: ['digitalSignature', 'nonRepudiation'],
    crlUrl: `${base}/ca.crl`,
    ocspUrl: `${base}/ocsp`,
  });
  const tsa = await mk('Sandbox Time-Stamp Authority', 2000, issuingCa, {
    keyUsage: ['digitalSignature'],
    extendedKeyUsage: ['1.3.6.1.5.5.7.3.8'],
    extendedKeyUsageCritical: true,
    crlUrl: `${base}/ca.crl`,
  });
  const issued = new Map<number, Uint8Array>([
    [signer.serialNumber, signer.certificate],
    [tsa.serialNumber, tsa.certificate],
  ]);
  const timeStamp = createTimeStampAuthority({
    certificate: tsa.certificate,
    privateKey: tsa.privateKey,
    chain: [issuingCa.certificate],
    now,
  });
  const crls = async () => {
    const t = now();
    const ca = await createCrl({
      issuerCertificate: issuingCa.certificate,
      signingKey: issuingCa.privateKey,
      thisUpdate: new Date(t.getTime() - 60_000),
      nextUpdate: new Date(t.getTime() + 7 * DAY),
      revoked: [...revoked].map(([serialNumber, date]) => ({ serialNumber, date })),
      crlNumber: crlNumber++,
    });
    const rootCrl = await createCrl({
      issuerCertificate: root.certificate,
      signingKey: root.privateKey,
      thisUpdate: new Date(t.getTime() - 60_000),
      nextUpdate: new Date(t.getTime() + 30 * DAY),
      crlNumber: crlNumber++,
    });
    return { ca, root: rootCrl };
  };

  handler = async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (type: string, body: Uint8Array): void => {
      res.writeHead(200, { 'content-type': type, 'content-length': body.length }).end(Buffer.from(body));
    };
    if (req.method === 'GET' && path === '/pki/root.crt')
      return send('application/pkix-cert', root.certificate);
    if (req.method === 'GET' && path === '/pki/ca.crt')
      return send('application/pkix-cert', issuingCa.certificate);
    if (req.method === 'GET' && path === '/pki/root.pem')
      return void res
        .writeHead(200, { 'content-type': 'application/x-pem-file' })
        .end(toPem(root.certificate));
    if (req.method === 'GET' && (path === '/pki/ca.crl' || path === '/pki/root.crl')) {
      const c = await crls();
      return send('application/pkix-crl', path === '/pki/ca.crl' ? c.ca : c.root);
    }
    if (req.method === 'POST' && path === '/pki/ocsp') return ocsp(await readBody(req, 64 * 1024), res);
    if (req.method === 'POST' && path === '/pki/tsa') return tsaEndpoint(await readBody(req, 64 * 1024), res);
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  };

  const ocspError = (res: ServerResponse, status: number) => {
    const r = new pkijs.OCSPResponse();
    r.responseStatus.valueBlock.valueDec = status;
    const body = new Uint8Array(r.toSchema().toBER(false));
    res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(Buffer.from(body));
  };

  const ocsp = async (body: Buffer, res: ServerResponse) => {
    let serial: number;
    try {
      const req = pkijs.OCSPRequest.fromBER(new Uint8Array(body).buffer);
      const one = req.tbsRequest.requestList[0];
      if (!one) return ocspError(res, 1);
      serial = Number(one.reqCert.serialNumber.toBigInt());
    } catch {
      return ocspError(res, 1); // malformedRequest
    }
    const cert = issued.get(serial);
    if (!cert) return ocspError(res, 6); // unauthorized: not issued here
    const t = now();
    const rev = revoked.get(serial);
    const der = await createOcspResponse({
      certificate: cert,
      issuerCertificate: issuingCa.certificate,
      responderCertificate: issuingCa.certificate,
      responderKey: issuingCa.privateKey,
      status: rev ? 'revoked' : 'good',
      ...(rev ? { revokedAt: rev } : {}),
      thisUpdate: new Date(t.getTime() - 60_000),
      nextUpdate: new Date(t.getTime() + DAY),
      producedAt: t,
    });
    res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(Buffer.from(der));
  };

  const tsaEndpoint = async (body: Buffer, res: ServerResponse) => {
    let imprint: Uint8Array;
    try {
      const req = pkijs.TimeStampReq.fromBER(new Uint8Array(body).buffer);
      if (req.messageImprint.hashAlgorithm.algorithmId !== '2.16.840.1.101.3.4.2.1')
        throw new Error('only SHA-256');
      imprint = new Uint8Array(req.messageImprint.hashedMessage.valueBlock.valueHexView);
    } catch {
      const fail = new pkijs.TimeStampResp({
        status: new pkijs.PKIStatusInfo({ status: pkijs.PKIStatus.rejection }),
      });
      return void res
        .writeHead(200, { 'content-type': 'application/timestamp-reply' })
        .end(Buffer.from(fail.toSchema().toBER(false)));
    }
    const token = await timeStamp({ imprint, hashAlgorithm: 'SHA-256' });
    const resp = new pkijs.TimeStampResp({
      status: new pkijs.PKIStatusInfo({ status: pkijs.PKIStatus.granted }),
      timeStampToken: new pkijs.ContentInfo({ schema: asn1js.fromBER(token.slice().buffer).result }),
    });
    res
      .writeHead(200, { 'content-type': 'application/timestamp-reply' })
      .end(Buffer.from(resp.toSchema().toBER(false)));
  };

  return {
    url: base,
    root,
    issuingCa,
    signer,
    tsa,
    rootPem: toPem(root.certificate),
    timeStamp,
    crls,
    revoke(serialNumber, date = now()) {
      revoked.set(serialNumber, date);
    },
    async issueSigningCertificate(spec) {
      const serialNumber = Math.max(...issued.keys()) + 1;
      const t = now();
      const certificate = await createCertificate({
        subject: {
          commonName: spec.commonName,
          organization: spec.organization ?? 'thgov sandbox (TEST ONLY)',
          country: 'TH',
        },
        publicKey: spec.publicKey,
        signingKey: issuingCa.privateKey,
        issuer: { certificate: issuingCa.certificate },
        serialNumber,
        notBefore: spec.notBefore ?? new Date(t.getTime() - DAY),
        notAfter: spec.notAfter ?? new Date(t.getTime() + 2 * 365 * DAY),
        keyUsage: ['digitalSignature', 'nonRepudiation'],
        crlUrl: `${base}/ca.crl`,
        ocspUrl: `${base}/ocsp`,
      });
      issued.set(serialNumber, certificate);
      return { certificate, serialNumber };
    },
    async createSigner(commonName) {
      const serial = Math.max(...issued.keys()) + 1;
      const identity = await mk(commonName, serial, issuingCa, {
        keyUsage: ['digitalSignature', 'nonRepudiation'],
        crlUrl: `${base}/ca.crl`,
        ocspUrl: `${base}/ocsp`,
      });
      issued.set(serial, identity.certificate);
      return identity;
    },
    async issueSandboxTranscript(person, o = {}) {
      fonts ??= loadFonts(options.fontFile);
      // A failed read is not cached: fixing the file fixes the next call.
      const pageFonts = await fonts.catch((err: unknown) => {
        fonts = undefined;
        throw err;
      });
      const c = await crls();
      return issueTranscript({
        ...pageFonts,
        requirePdfA: true,
        student: { nameTh: thaiFullName(person), nameEn: englishFullName(person) },
        institution: options.institution ?? 'Sandbox University',
        xml: sandboxTranscriptXml(person, options.institution),
        signer: {
          key: (o.signer ?? signer).privateKey,
          chain: [(o.signer ?? signer).certificate, issuingCa.certificate],
        },
        revocation: { crls: [c.ca, c.root] },
        tsa: timeStamp,
        subFilter: o.subFilter ?? 'adbe.pkcs7.detached',
        signingTime: now(),
        title: 'Academic transcript (sandbox, TEST ONLY)',
        document: {
          referenceId: `SANDBOX-${serialOf((o.signer ?? signer).certificate)}-${person.citizenId.slice(-4)}`,
          version: '1.0',
        },
      });
    },
    close: () => server.close(),
  };
}
