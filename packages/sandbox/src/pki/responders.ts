import type { IncomingMessage, ServerResponse } from 'node:http';
import { toPem } from '@thgov/pki';
import { createOcspResponse } from '@thgov/pki/testing';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { readBody } from '../http-server.js';
import type { SandboxAuthority } from './authority.js';

const DAY = 86_400_000;
const MAX_REQUEST_BYTES = 64 * 1024;

function sendDer(res: ServerResponse, type: string, body: Uint8Array): void {
  res.writeHead(200, { 'content-type': type, 'content-length': body.length }).end(Buffer.from(body));
}

/** An OCSP answer without a response: 1 malformedRequest, 6 unauthorized (not issued here). */
function ocspError(res: ServerResponse, status: number): void {
  const r = new pkijs.OCSPResponse();
  r.responseStatus.valueBlock.valueDec = status;
  sendDer(res, 'application/ocsp-response', new Uint8Array(r.toSchema().toBER(false)));
}

/**
 * POST /pki/ocsp, or GET /pki/ocsp/{percent-encoded base64 of the DER request} (RFC 6960 appendix A.1): good or
 * revoked for what the issuing CA issued, signed by the CA itself.
 */
async function ocsp(ca: SandboxAuthority, body: Buffer, res: ServerResponse): Promise<void> {
  let serial: number;
  try {
    const req = pkijs.OCSPRequest.fromBER(new Uint8Array(body).buffer);
    const one = req.tbsRequest.requestList[0];
    if (!one) return ocspError(res, 1);
    serial = Number(one.reqCert.serialNumber.toBigInt());
  } catch {
    return ocspError(res, 1);
  }
  const cert = ca.issued.get(serial);
  if (!cert) return ocspError(res, 6);
  const t = ca.now();
  const rev = ca.revoked.get(serial);
  const der = await createOcspResponse({
    certificate: cert,
    issuerCertificate: ca.issuingCa.certificate,
    responderCertificate: ca.issuingCa.certificate,
    responderKey: ca.issuingCa.privateKey,
    status: rev ? 'revoked' : 'good',
    ...(rev ? { revokedAt: rev } : {}),
    thisUpdate: new Date(t.getTime() - 60_000),
    nextUpdate: new Date(t.getTime() + DAY),
    producedAt: t,
  });
  res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(Buffer.from(der));
}

/** The DER request of an OCSP GET; an undecodable one is empty, which the responder answers malformedRequest. */
function ocspGetBody(path: string): Buffer {
  try {
    return Buffer.from(decodeURIComponent(path.slice('/pki/ocsp/'.length)), 'base64');
  } catch {
    return Buffer.alloc(0);
  }
}

/** POST /pki/tsa: an RFC 3161 answer for a SHA-256 imprint; anything else is a rejection. */
async function timeStampReply(ca: SandboxAuthority, body: Buffer, res: ServerResponse): Promise<void> {
  let imprint: Uint8Array;
  let nonce: Uint8Array | undefined;
  try {
    const req = pkijs.TimeStampReq.fromBER(new Uint8Array(body).buffer);
    if (req.messageImprint.hashAlgorithm.algorithmId !== '2.16.840.1.101.3.4.2.1')
      throw new Error('only SHA-256');
    imprint = new Uint8Array(req.messageImprint.hashedMessage.valueBlock.valueHexView);
    // A real TSA echoes the request's nonce in the token (RFC 3161 §2.4.2); clients refuse a token without it.
    if (req.nonce) nonce = new Uint8Array(req.nonce.valueBlock.valueHexView);
  } catch {
    const fail = new pkijs.TimeStampResp({
      status: new pkijs.PKIStatusInfo({ status: pkijs.PKIStatus.rejection }),
    });
    return void res
      .writeHead(200, { 'content-type': 'application/timestamp-reply' })
      .end(Buffer.from(fail.toSchema().toBER(false)));
  }
  const token = await ca.timeStamp({ imprint, hashAlgorithm: 'SHA-256', ...(nonce ? { nonce } : {}) });
  const resp = new pkijs.TimeStampResp({
    status: new pkijs.PKIStatusInfo({ status: pkijs.PKIStatus.granted }),
    timeStampToken: new pkijs.ContentInfo({ schema: asn1js.fromBER(token.slice().buffer).result }),
  });
  res
    .writeHead(200, { 'content-type': 'application/timestamp-reply' })
    .end(Buffer.from(resp.toSchema().toBER(false)));
}

/** The PKI's HTTP endpoints: certificates, CRLs (signed on each request), OCSP and time-stamps. */
export function pkiResponder(ca: SandboxAuthority) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/pki/root.crt')
      return sendDer(res, 'application/pkix-cert', ca.root.certificate);
    if (req.method === 'GET' && path === '/pki/ca.crt')
      return sendDer(res, 'application/pkix-cert', ca.issuingCa.certificate);
    if (req.method === 'GET' && path === '/pki/root.pem')
      return void res
        .writeHead(200, { 'content-type': 'application/x-pem-file' })
        .end(toPem(ca.root.certificate));
    if (req.method === 'GET' && (path === '/pki/ca.crl' || path === '/pki/root.crl')) {
      const c = await ca.crls();
      return sendDer(res, 'application/pkix-crl', path === '/pki/ca.crl' ? c.ca : c.root);
    }
    if (req.method === 'POST' && path === '/pki/ocsp')
      return ocsp(ca, await readBody(req, MAX_REQUEST_BYTES), res);
    if (req.method === 'GET' && path?.startsWith('/pki/ocsp/')) return ocsp(ca, ocspGetBody(path), res);
    if (req.method === 'POST' && path === '/pki/tsa')
      return timeStampReply(ca, await readBody(req, MAX_REQUEST_BYTES), res);
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  };
}
