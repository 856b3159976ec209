import { spawnSync } from 'node:child_process';
import { inspect } from 'node:util';
import { requireTool } from '@thgov/testkit';
import { extractTranscript, verifyTranscript } from '@thgov/transcript';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePopulation, thaiFullName } from '../src/people.js';
import {
  createSampleTranscripts,
  REVOKED_SAMPLE_SIGNER,
  type SandboxPki,
  startSandboxPki,
} from '../src/pki/index.js';

const popplerText = requireTool('poppler-text', { why: "poppler's text extraction of the Thai name" });
let pki: SandboxPki;
const people = generatePopulation({ seed: 42, people: 3, companies: 0 }).people;

beforeAll(async () => {
  pki = await startSandboxPki();
}, 60_000);
afterAll(async () => {
  await pki?.close();
});

describe('sandbox test PKI', () => {
  it('issues transcripts in the bundled Sarabun with the Thai name on any machine (no system font)', async () => {
    const pdf = Buffer.from(await pki.issueSandboxTranscript(people[0]!));
    const text = pdf.toString('latin1');
    expect(text).toMatch(/\/BaseFont \/[A-Z]{6}\+Sarabun-Regular/);
    expect(text).toMatch(/\/BaseFont \/[A-Z]{6}\+Sarabun-Bold/);
    expect(text).not.toContain('Helvetica');
    expect(text).not.toContain('Garuda');
    // The Thai name is shown: an ActualText span or ToUnicode entries carry its characters.
    const th = thaiFullName(people[0]!);
    expect(th).toMatch(/[\u0E00-\u0E7F]/);
  });

  popplerText.it('pdftotext reads the Thai name back from a sandbox transcript', async () => {
    const pdf = await pki.issueSandboxTranscript(people[0]!);
    const out = spawnSync('pdftotext', ['-', '-'], { input: Buffer.from(pdf), encoding: 'utf8' });
    expect(out.stdout).toContain(thaiFullName(people[0]!));
  });

  it('issues transcripts that verify TOTAL_PASSED with only the root configured', async () => {
    const pdf = await pki.issueSandboxTranscript(people[0]!);
    const r = await verifyTranscript(pdf, { trust: pki.rootPem });
    expect(r.indication).toBe('TOTAL_PASSED');
    expect(r.signatures[0]!.signingTime.proof).toBe('signature-timestamp');
    const xml = Buffer.from(extractTranscript(pdf).xml).toString('utf8');
    expect(xml).toContain(`<CitizenID>${people[0]!.citizenId}</CitizenID>`);
    // Same person, same grades: the transcript content is deterministic.
    const again = Buffer.from(extractTranscript(await pki.issueSandboxTranscript(people[0]!)).xml).toString(
      'utf8',
    );
    expect(again).toBe(xml);
  });

  it('issues ETSI.CAdES.detached transcripts with a /DSS as well', async () => {
    const pdf = await pki.issueSandboxTranscript(people[2]!, { subFilter: 'ETSI.CAdES.detached' });
    const r = await verifyTranscript(pdf, { trust: pki.rootPem });
    expect(r.indication).toBe('TOTAL_PASSED');
    expect(r.signatures[0]!.subFilter).toBe('ETSI.CAdES.detached');
    expect(r.signatures[0]!.revocation.every((e) => e.source === 'dss')).toBe(true);
  });

  it('serves the certificates and fresh CRLs over http on 127.0.0.1', async () => {
    expect(pki.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/pki$/);
    const rootDer = new Uint8Array(await (await fetch(`${pki.url}/root.crt`)).arrayBuffer());
    expect(Buffer.from(rootDer).equals(Buffer.from(pki.root.certificate))).toBe(true);
    const crl = pkijs.CertificateRevocationList.fromBER(
      await (await fetch(`${pki.url}/ca.crl`)).arrayBuffer(),
    );
    expect(
      crl.issuer.isEqual(pkijs.Certificate.fromBER(pki.issuingCa.certificate.slice().buffer).subject),
    ).toBe(true);
    expect((await fetch(`${pki.url}/nope`)).status).toBe(404);
  });

  it('answers OCSP for its certificates and reflects revocation at once', async () => {
    const signer = pkijs.Certificate.fromBER(pki.signer.certificate.slice().buffer);
    const ca = pkijs.Certificate.fromBER(pki.issuingCa.certificate.slice().buffer);
    const status = async () => {
      const req = new pkijs.OCSPRequest();
      await req.createForCertificate(signer, { hashAlgorithm: 'SHA-1', issuerCertificate: ca });
      const res = await fetch(`${pki.url}/ocsp`, {
        method: 'POST',
        headers: { 'content-type': 'application/ocsp-request' },
        body: Buffer.from(req.toSchema(true).toBER(false)),
      });
      const ocsp = pkijs.OCSPResponse.fromBER(await res.arrayBuffer());
      const basic = pkijs.BasicOCSPResponse.fromBER(ocsp.responseBytes!.response.valueBlock.valueHexView);
      return (await basic.getCertificateStatus(signer, ca)).status;
    };
    expect(await status()).toBe(0);
    const bad = await fetch(`${pki.url}/ocsp`, { method: 'POST', body: 'garbage' });
    const parsed = pkijs.OCSPResponse.fromBER(await bad.arrayBuffer());
    expect(parsed.responseStatus.valueBlock.valueDec).toBe(1);
    // By GET as well (RFC 6960 appendix A.1): the same answer; a request that does not decode is malformed.
    const req = new pkijs.OCSPRequest();
    await req.createForCertificate(signer, { hashAlgorithm: 'SHA-1', issuerCertificate: ca });
    const b64 = Buffer.from(req.toSchema(true).toBER(false)).toString('base64');
    const byGet = await fetch(`${pki.url}/ocsp/${encodeURIComponent(b64)}`);
    const got = pkijs.OCSPResponse.fromBER(await byGet.arrayBuffer());
    const basic = pkijs.BasicOCSPResponse.fromBER(got.responseBytes!.response.valueBlock.valueHexView);
    expect((await basic.getCertificateStatus(signer, ca)).status).toBe(0);
    for (const junk of ['%E0%A4%A', 'bm90IGFuIE9DU1AgcmVxdWVzdA%3D%3D']) {
      const res = await fetch(`${pki.url}/ocsp/${junk}`);
      expect(pkijs.OCSPResponse.fromBER(await res.arrayBuffer()).responseStatus.valueBlock.valueDec).toBe(1);
    }
    // A separate PKI instance so revocation does not leak into other tests.
    const other = await startSandboxPki();
    try {
      const pdf = await other.issueSandboxTranscript(people[1]!);
      other.revoke(other.signer.serialNumber, new Date(Date.now() - 60_000));
      const later = await other.issueSandboxTranscript(people[1]!);
      const r = await verifyTranscript(later, { trust: other.rootPem });
      expect(r.indication).toBe('TOTAL_FAILED');
      expect(r.subIndication).toBe('REVOKED');
      // The earlier transcript carries the CRL from before the revocation.
      expect((await verifyTranscript(pdf, { trust: other.rootPem })).indication).toBe('TOTAL_PASSED');
    } finally {
      await other.close();
    }
  }, 60_000);

  it('grants RFC 3161 time-stamps over http and rejects malformed requests', async () => {
    const req = new pkijs.TimeStampReq({
      version: 1,
      messageImprint: new pkijs.MessageImprint({
        hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: '2.16.840.1.101.3.4.2.1' }),
        hashedMessage: new asn1js.OctetString({ valueHex: new Uint8Array(32).fill(9).buffer }),
      }),
      nonce: new asn1js.Integer({
        valueHex: new Uint8Array([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08]).buffer,
      }),
      certReq: true,
    });
    const res = await fetch(`${pki.url}/tsa`, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query' },
      body: Buffer.from(req.toSchema().toBER(false)),
    });
    const resp = pkijs.TimeStampResp.fromBER(await res.arrayBuffer());
    expect(resp.status.status).toBe(pkijs.PKIStatus.granted);
    expect(resp.timeStampToken).toBeDefined();
    // RFC 3161 §2.4.2: the nonce of the request comes back in the TSTInfo, as a real TSA sends it.
    const sd = new pkijs.SignedData({ schema: resp.timeStampToken?.content });
    const info = pkijs.TSTInfo.fromBER(
      new Uint8Array(sd.encapContentInfo.eContent?.getValue() ?? new ArrayBuffer(0)).slice().buffer,
    );
    expect(Buffer.from(info.nonce?.valueBlock.valueHexView ?? []).toString('hex')).toBe('0102030405060708');
    const bad = pkijs.TimeStampResp.fromBER(
      await (await fetch(`${pki.url}/tsa`, { method: 'POST', body: 'x' })).arrayBuffer(),
    );
    expect(bad.status.status).toBe(pkijs.PKIStatus.rejection);
  });

  it('sample transcripts: good passes, tampered fails on the hash, revoked fails on a registrar of its own', async () => {
    // A PKI of its own: the samples revoke a certificate, which the other tests must not see.
    const own = await startSandboxPki();
    try {
      const s = await createSampleTranscripts(own, people[1]!);
      const verify = async (pdf: Uint8Array) => {
        const r = await verifyTranscript(pdf, { trust: s.rootPem });
        return [r.indication, r.subIndication];
      };
      expect(await verify(s.good)).toEqual(['TOTAL_PASSED', undefined]);
      expect(await verify(s.tampered)).toEqual(['TOTAL_FAILED', 'HASH_FAILURE']);
      const revoked = await verifyTranscript(s.revoked, { trust: s.rootPem });
      expect([revoked.indication, revoked.subIndication]).toEqual(['TOTAL_FAILED', 'REVOKED']);
      expect(revoked.signatures[0]?.signer?.subject).toContain(REVOKED_SAMPLE_SIGNER);
      // The tampered copy differs in exactly one byte, inside the signed part.
      expect(s.tampered.length).toBe(s.good.length);
      expect(s.good.filter((b, i) => b !== s.tampered[i])).toHaveLength(1);
      // The university's own signer is untouched: a transcript issued afterwards still passes.
      const later = await own.issueSandboxTranscript(people[2]!);
      expect((await verifyTranscript(later, { trust: own.rootPem })).indication).toBe('TOTAL_PASSED');
      // The CRL files carry the revoked registrar and are signed by the CAs under the printed root.
      const crl = pkijs.CertificateRevocationList.fromBER(s.crls.ca.slice().buffer);
      expect(crl.revokedCertificates?.map((r) => r.userCertificate.toBigInt().toString(16))).toEqual([
        BigInt(`0x${revoked.signatures[0]?.signer?.serialNumber}`).toString(16),
      ]);
      expect(s.rootPem).toBe(own.rootPem);
    } finally {
      await own.close();
    }
  }, 60_000);

  it('keeps private keys out of logs and serialized objects', () => {
    const text = `${inspect(pki.signer)} ${JSON.stringify(pki.signer)}`;
    expect(text).not.toMatch(/PRIVATE KEY/);
    expect(text).toContain('CryptoKey');
  });
});
