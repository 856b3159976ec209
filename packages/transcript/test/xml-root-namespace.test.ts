/**
 * Which XML vocabulary the transcript is in. `xmlToData` keys elements by local name whatever their namespace, so
 * a caller's zod schema for `<Transcript>` also accepted an XML of another schema (another agency's document,
 * another standard's version) whose elements have the same local names: it was read as a transcript. The
 * `xmlNamespace` option pins the namespace(s) the root element must be in (ขมธอ. 25-2563 publishes none, so none
 * is assumed by default); the XML check fails otherwise, with or without a schema, and reports the namespace found.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type VerificationReport, verifyTranscript } from '../src/index.js';
import { issueGood } from './fixtures/generate.js';
import { createTestPki } from './helpers/pki.js';

const pki = await createTestPki();
const trust = [pki.root.cert];
const NS = 'urn:example:transcript:1';
const body = '<Student><Name>Test Student</Name></Student><GPA>3.75</GPA>';
const schema = z.object({ Transcript: z.object({ GPA: z.string() }).passthrough() });
const xmlCheck = (r: VerificationReport) => r.checks.find((c) => c.id === 'xml');

const foreign = await issueGood(pki, {
  xml: `<Transcript xmlns="urn:other:agency:record">${body}</Transcript>`,
});
const genuine = await issueGood(pki, { xml: `<Transcript xmlns="${NS}">${body}</Transcript>` });

describe('xmlNamespace: the root element must be in one of the given namespaces', () => {
  it('the same local names in another namespace: the schema alone passes it; with xmlNamespace the XML check fails', async () => {
    expect((await verifyTranscript(foreign, { trust, xmlSchema: schema })).indication).toBe('TOTAL_PASSED');
    const r = await verifyTranscript(foreign, { trust, xmlSchema: schema, xmlNamespace: NS });
    expect(xmlCheck(r)).toMatchObject({ status: 'FAILED', subIndication: 'FORMAT_FAILURE' });
    expect(xmlCheck(r)?.message).toMatch(/namespace/);
    expect(xmlCheck(r)?.evidence?.rootNamespace).toBe('urn:other:agency:record');
    expect(r.indication).toBe('TOTAL_FAILED');
  });

  it('without a schema too (the plain path that needs no DOM)', async () => {
    const r = await verifyTranscript(foreign, { trust, xmlNamespace: NS });
    expect(xmlCheck(r)?.status).toBe('FAILED');
    expect(r.indication).toBe('TOTAL_FAILED');
  });

  it('the expected namespace, as a default namespace or under a prefix: TOTAL_PASSED, the namespace reported', async () => {
    const prefixed = await issueGood(pki, {
      xml: `<t:Transcript xmlns:t="${NS}"><t:GPA>3.75</t:GPA></t:Transcript>`,
    });
    for (const pdf of [genuine, prefixed]) {
      const r = await verifyTranscript(pdf, { trust, xmlSchema: schema, xmlNamespace: NS });
      expect(xmlCheck(r)?.evidence?.rootNamespace).toBe(NS);
      expect(r.indication).toBe('TOTAL_PASSED');
    }
  });

  it('a list (two versions of a standard): either passes, anything else fails', async () => {
    const v2 = await issueGood(pki, {
      xml: `<Transcript xmlns="urn:example:transcript:2">${body}</Transcript>`,
    });
    const xmlNamespace = [NS, 'urn:example:transcript:2'];
    for (const pdf of [genuine, v2])
      expect((await verifyTranscript(pdf, { trust, xmlNamespace })).indication).toBe('TOTAL_PASSED');
    expect((await verifyTranscript(foreign, { trust, xmlNamespace })).indication).toBe('TOTAL_FAILED');
  });

  it('the namespace declared on a child only: the root is in no namespace, and fails', async () => {
    const pdf = await issueGood(pki, { xml: `<Transcript><GPA xmlns="${NS}">3.75</GPA></Transcript>` });
    const r = await verifyTranscript(pdf, { trust, xmlNamespace: NS });
    expect(xmlCheck(r)?.status).toBe('FAILED');
    expect(xmlCheck(r)?.evidence?.rootNamespace).toBe('');
    // "" names "no namespace", for vocabularies that use none.
    expect((await verifyTranscript(pdf, { trust, xmlNamespace: '' })).indication).toBe('TOTAL_PASSED');
  });

  it('a namespace holding a citizen ID: the report shows it redacted', async () => {
    const id = '1101700230708';
    const pdf = await issueGood(pki, { xml: `<Transcript xmlns="urn:x:${id}">${body}</Transcript>` });
    const r = await verifyTranscript(pdf, { trust, xmlNamespace: NS });
    expect(xmlCheck(r)?.status).toBe('FAILED');
    expect(JSON.stringify(r)).not.toContain(id);
  });

  it('an empty list or a non-string is refused as an option (ERR_INVALID_ARG)', async () => {
    for (const xmlNamespace of [[], 5, [NS, 1]])
      await expect(verifyTranscript(genuine, { trust, xmlNamespace } as never)).rejects.toMatchObject({
        code: 'ERR_INVALID_ARG',
      });
  });
});
