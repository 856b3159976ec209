import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EcmsNetwork, startEcmsNetwork } from '../src/index.js';

/**
 * e-CMS nodes speak SOAP 1.1 only (shared/reference/ecms.md: `Content-Type: text/xml; charset=utf-8`, envelope
 * namespace `http://schemas.xmlsoap.org/soap/envelope/`). A SOAP 1.1 stack (JAX-WS, WCF basicHttpBinding) answers
 * a SOAP 1.2 or JSON content type with HTTP 415, an envelope in another namespace with a `VersionMismatch` fault,
 * and refuses an envelope with two Bodies: the sandbox node must not be kinder, or a client that gets these wrong
 * passes its tests and fails against the real node.
 */
const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';
const SOAP12 = 'http://www.w3.org/2003/05/soap-envelope';
const WSA = 'http://www.w3.org/2005/08/addressing';

const envelope = (to: string, body: string, ns = SOAP11) =>
  `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="${ns}" xmlns:a="${WSA}"><s:Header><a:To>${to}</a:To></s:Header><s:Body>${body}</s:Body></s:Envelope>`;

async function post(url: string, xml: string, contentType: string | undefined) {
  const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {};
  const res = await fetch(url, { method: 'POST', headers, body: Buffer.from(xml, 'utf8') });
  return { status: res.status, text: await res.text() };
}

let net: EcmsNetwork;
beforeAll(async () => {
  net = await startEcmsNetwork({ organizations: 2, seed: 3 });
});
afterAll(() => net.close());

describe('e-CMS node: SOAP 1.1 only, as the real nodes', () => {
  it('answers a request in the right dress (guard: text/xml with or without charset)', async () => {
    const a = net.nodes[0]!;
    for (const type of ['text/xml; charset=utf-8', 'text/xml', 'Text/XML;charset="UTF-8"']) {
      const r = await post(a.url, envelope(a.url, '<GetSpeedCodes/>'), type);
      expect(r.status).toBe(200);
      expect(r.text).toContain('<GetSpeedCodesResponse>');
    }
  });

  it('refuses a SOAP 1.2, JSON or missing Content-Type with HTTP 415 and does not run the operation', async () => {
    const a = net.nodes[0]!;
    const before = net.counters(a.organizationId).speedCodes ?? 0;
    for (const type of ['application/soap+xml; charset=utf-8', 'application/json', undefined]) {
      const r = await post(a.url, envelope(a.url, '<GetSpeedCodes/>'), type);
      expect(r.status).toBe(415);
      expect(r.text).not.toContain('<GetSpeedCodesResponse>');
    }
    expect(net.counters(a.organizationId).speedCodes ?? 0).toBe(before);
  });

  it('answers an envelope in the SOAP 1.2 namespace (or none) with a SOAP 1.1 VersionMismatch fault', async () => {
    const [a, b] = net.nodes as [(typeof net.nodes)[0], (typeof net.nodes)[0]];
    const bare = `<Envelope><Body><GetSpeedCodes/></Body></Envelope>`;
    for (const xml of [envelope(b.url, '<GetSpeedCodes/>', SOAP12), bare]) {
      const r = await post(a.url, xml, 'text/xml; charset=utf-8');
      expect(r.status).toBe(500);
      expect(r.text).toMatch(/<faultcode>[\w-]+:VersionMismatch<\/faultcode>/);
      expect(r.text).not.toContain('<GetSpeedCodesResponse>');
    }
  });

  it('refuses an envelope with two Bodies instead of running the first one', async () => {
    const [a, b] = net.nodes as [(typeof net.nodes)[0], (typeof net.nodes)[0]];
    const xml = `<s:Envelope xmlns:s="${SOAP11}" xmlns:a="${WSA}"><s:Header><a:To>${b.url}</a:To></s:Header><s:Body><GetSpeedCodes/></s:Body><s:Body><OutboundStatusRequest/></s:Body></s:Envelope>`;
    const r = await post(a.url, xml, 'text/xml; charset=utf-8');
    expect(r.status).toBe(400);
    expect(r.text).toContain('<ErrorCode>E_XML</ErrorCode>');
    expect(r.text).not.toContain('<GetSpeedCodesResponse>');
  });
});
