import { describe, expect, it } from 'vitest';
import { type ExchangeClient, type GdxError, isGdxError, isGdxNotFound } from '../../src/index.js';
import { useGateway } from '../helpers/scripted-gateway.js';
import { RAW_CREDENTIALS, rejection, withRawClient } from '../helpers.js';

/**
 * A 404 is "no such data" only when the provider says so. A wrong base URL, path prefix or generic-call path
 * reaches no provider: the gateway answers 404 with its own page (an HTML page, WSO2 API Manager's
 * `<am:fault>` or JSON fault "No matching resource found for given API Request", code 900906). Reported as
 * "not found", an application tells an officer "no such citizen" for every lookup while its configuration is
 * wrong. Such a page is a typed, non-retryable ERR_HTTP 404 that says to check the configuration; the
 * provider's own 404 (empty, its `[n]`, its `{Code, Message}`) keeps its meaning.
 */

const CID = '1101700230708';
const gw = useGateway();
const person = (c: ExchangeClient) => c.getPerson({ citizenId: CID }, { agentId: 'registry-system' });
const generic = (c: ExchangeClient) =>
  c.call({ path: '/ws/dopa/linkage/v9/link', query: { CitizenID: CID } }, { agentId: 'registry-system' });

const PAGES: Record<string, { type: string; body: string }> = {
  'an HTML page': {
    type: 'text/html; charset=utf-8',
    body: '<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>',
  },
  'a long HTML page after a BOM and blank lines': {
    type: 'text/html',
    body: `\uFEFF\r\n\r\n<html><body><h1>Not Found</h1>${'<p>The requested URL was not found.</p>'.repeat(200)}</body></html>`,
  },
  "WSO2's XML fault": {
    type: 'application/xml',
    body: '<am:fault xmlns:am="http://wso2.org/apimanager"><am:code>404</am:code><am:type>Status report</am:type><am:message>Runtime Error</am:message><am:description>No matching resource found for given API Request</am:description></am:fault>',
  },
  "WSO2's JSON status report": {
    type: 'application/json',
    body: JSON.stringify({
      code: '404',
      type: 'Status report',
      message: 'Runtime Error',
      description: 'No matching resource found for given API Request',
    }),
  },
  "WSO2's 900906": {
    type: 'application/json',
    body: JSON.stringify({
      code: '900906',
      message: 'No matching resource found in the API for the given request',
      description: 'Access failure for API: /ws/dopa/linkage/v1, version: v1',
    }),
  },
  'a page that echoes the request (citizen ID, names)': {
    type: 'text/html',
    body: `<html><body>No route for /ws/dopa/linkage/v9/link?CitizenID=${CID}&amp;FirstName=%E0%B8%AA</body></html>`,
  },
  'a text page saying no matching resource': {
    type: 'text/plain',
    body: 'No matching resource found for given API Request',
  },
};

describe("a gateway's 404 page for a path it does not route", () => {
  for (const [name, page] of Object.entries(PAGES)) {
    for (const [label, call] of [
      ['getPerson', person],
      ['call()', generic],
    ] as const) {
      it(`${name} (${label}): ERR_HTTP 404, not "not found", not retried, configuration hint`, async () => {
        gw.reply = () => ({ status: 404, headers: { 'content-type': page.type }, body: page.body });
        const err = (await withRawClient(gw.url(), (c) => rejection(call(c)))) as unknown as GdxError;
        expect(isGdxNotFound(err)).toBe(false);
        expect(isGdxError(err)).toBe(false);
        expect(err).toMatchObject({ code: 'ERR_HTTP', statusCode: 404, retryable: false });
        expect(err.hint).toMatch(/baseUrl/);
        expect(gw.dataCalls).toBe(1);
        const shown = `${err.message} ${err.hint} ${JSON.stringify(err)}`;
        expect(shown).not.toContain(CID);
        expect(shown).not.toContain(RAW_CREDENTIALS.consumerSecret);
      });
    }
  }
});

describe("the provider's own 404 keeps its meaning (guards)", () => {
  for (const body of [
    '',
    'Not Found',
    '[4] ไม่พบข้อมูล',
    JSON.stringify({ Code: '404', Message: 'ไม่พบข้อมูล' }),
  ]) {
    it(`404 ${JSON.stringify(body)}: not found`, async () => {
      gw.reply = () => ({ status: 404, body });
      const err = await withRawClient(gw.url(), (c) => rejection(person(c)));
      expect(isGdxNotFound(err)).toBe(true);
    });
  }

  it('a Linkage record that mentions "Status report" in a field is still data', async () => {
    const record = { firstName: 'สมชาย', lastName: 'ใจดี', dateOfBirth: '25300101', type: 'Status report' };
    gw.reply = () => ({ status: 200, body: JSON.stringify(record) });
    const p = await withRawClient(gw.url(), (c) => person(c));
    expect(p.firstName.th).toBe('สมชาย');
  });
});

describe("WSO2's 900906 at HTTP 403 (as older API Manager versions send it)", () => {
  for (const [name, type, body] of [
    [
      'JSON',
      'application/json',
      JSON.stringify({
        code: 900906,
        message: 'No matching resource found in the API for the given request',
        description: 'Access failure for API: /ws/dopa/linkage/v1, version: v1',
      }),
    ],
    [
      'XML',
      'application/xml',
      '<ams:fault xmlns:ams="http://wso2.org/apimanager/security"><ams:code>900906</ams:code><ams:message>No matching resource found in the API for the given request</ams:message><ams:description>Access failure for API: /ws/dopa/linkage/v1, version: v1</ams:description></ams:fault>',
    ],
  ] as const) {
    it(`${name}: ERR_HTTP 403 with the configuration hint, not "no right to the data"`, async () => {
      gw.reply = () => ({ status: 403, headers: { 'content-type': type }, body });
      const err = (await withRawClient(gw.url(), (c) => rejection(person(c)))) as unknown as GdxError;
      expect(err).toMatchObject({ code: 'ERR_HTTP', statusCode: 403, retryable: false });
      expect(err.hint).toMatch(/baseUrl/);
      expect(gw.validations).toBe(1);
    });
  }

  it('an HTML 403 page (a firewall) stays ERR_GDX_FORBIDDEN (guard)', async () => {
    gw.reply = () => ({
      status: 403,
      headers: { 'content-type': 'text/html' },
      body: '<html>Request blocked</html>',
    });
    const err = await withRawClient(gw.url(), (c) => rejection(person(c)));
    expect(isGdxError(err, 'ERR_GDX_FORBIDDEN')).toBe(true);
  });
});
