// B-T with the time-stamp authority given as a URL: RFC 3161 over HTTP through core's Transport, against a real
// HTTP server on 127.0.0.1 that answers with the test PKI's TSA.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toArrayBuffer } from '@thgov/pki/internal';
import * as pkijs from 'pkijs';
import { afterAll, describe, expect, it } from 'vitest';
import { isEsignError } from '../src/errors.js';
import { signPdf } from '../src/sign/sign-pdf.js';
import { verifyPdfSignatures } from '../src/verify/verify-pdf.js';
import { createSigningPki, letterPdf, signerFor } from './helpers/pki.js';

const pki = await createSigningPki();
let refuse = false;
let requests = 0;

const server: Server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', async () => {
    requests++;
    const tsq = pkijs.TimeStampReq.fromBER(toArrayBuffer(new Uint8Array(Buffer.concat(chunks))));
    const imprint = new Uint8Array(tsq.messageImprint.hashedMessage.valueBlock.valueHexView);
    const nonce = tsq.nonce ? new Uint8Array(tsq.nonce.valueBlock.valueHexView) : undefined;
    const resp = refuse
      ? new pkijs.TimeStampResp({ status: new pkijs.PKIStatusInfo({ status: 2 }) })
      : new pkijs.TimeStampResp({
          status: new pkijs.PKIStatusInfo({ status: 0 }),
          timeStampToken: pkijs.ContentInfo.fromBER(
            toArrayBuffer(await pki.tsa({ imprint, hashAlgorithm: 'SHA-256', ...(nonce ? { nonce } : {}) })),
          ),
        });
    res.writeHead(200, { 'content-type': 'application/timestamp-reply' });
    res.end(Buffer.from(resp.toSchema().toBER(false)));
  });
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tsa`;
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const options = () => ({
  signer: signerFor(pki, pki.officer),
  level: 'B-T' as const,
  tsa: url,
  trustAnchors: pki.root.cert,
  validationData: { crls: pki.crls },
});

describe('a time-stamp authority by URL', () => {
  it('signs at B-T over HTTP and the time-stamp verifies', async () => {
    refuse = false;
    const before = requests;
    const signed = await signPdf(await letterPdf(), options());
    expect(requests).toBe(before + 1);
    const report = await verifyPdfSignatures(signed, {
      trustAnchors: [pki.root.cert],
      revocation: { crls: pki.crls },
    });
    expect(report.indication).toBe('TOTAL_PASSED');
    expect(report.signatures[0]?.level).toBe('B-T');
    expect(report.signatures[0]?.signingTime.proof).toBe('signature-timestamp');
  });

  it('a refusing TSA is ERR_ESIGN_TSA, not a signature without its time-stamp', async () => {
    refuse = true;
    const err = await signPdf(await letterPdf(), options()).catch((e: unknown) => e);
    expect(isEsignError(err, 'ERR_ESIGN_TSA')).toBe(true);
  });
});
