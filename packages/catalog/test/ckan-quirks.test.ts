import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogClient, type CatalogError, DATA_CATEGORY } from '../src/index.js';

/**
 * Quirks of real CKAN sites and what stands in front of them, each scripted on 127.0.0.1 as the real thing
 * answers: a CSRF-protected site (CKAN ≥ 2.10 with a session cookie, ckanext-security) refusing a POST with an
 * HTML page, a site redirecting http → https, a catalog without ckanext-scheming that keeps the Thai fields in
 * `extras: [{key, value}]`.
 */

type Reply = (req: IncomingMessage, res: ServerResponse, body: string) => void;

const TOKEN =
  'eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJqdGkiOiJxdWlya3MiLCJpYXQiOjE3MDB9.c2lnbmF0dXJlLXF1aXJrcw';
const calls: string[] = [];
let reply: Reply = () => {};
const server = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c: string) => {
    body += c;
  });
  req.on('end', () => {
    calls.push((req.url ?? '').split('?')[0]?.split('/').pop() ?? '');
    reply(req, res, body);
  });
});
let url = '';

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function answer(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  return (_req, res) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(text);
  };
}

function client(): CatalogClient {
  calls.length = 0;
  return new CatalogClient({
    baseUrl: url,
    apiToken: TOKEN,
    retry: { maxRetries: 2, baseDelayInMs: 1, maxDelayInMs: 2 },
  } as ConstructorParameters<typeof CatalogClient>[0]);
}

const flaskCsrfPage = (status: string, reason: string) =>
  `<!doctype html>\n<html lang=en>\n<title>${status}</title>\n<h1>${status.slice(4)}</h1>\n<p>${reason}</p>\n`;

describe('a CSRF-protected site refusing an API POST with an HTML page', () => {
  it.each([
    [400, flaskCsrfPage('400 Bad Request', 'The CSRF token is missing.')],
    [400, flaskCsrfPage('400 Bad Request', 'The referrer does not match the host.')],
    [
      403,
      '<html><body><h1>Access was denied to this resource.</h1>CSRF authentication failed. Token missing or invalid.</body></html>',
    ],
  ])('HTML %i naming CSRF is ERR_CATALOG_AUTH with a hint, sent once', async (status, page) => {
    reply = answer(status, page, { 'content-type': 'text/html; charset=utf-8' });
    const c = client();
    const err = (await c.action('package_create', { name: 'x' }).catch((e) => e)) as CatalogError;
    await c.close();
    expect(err.code).toBe('ERR_CATALOG_AUTH');
    expect(err.message).toMatch(/CSRF/);
    expect(err.hint).toMatch(/CSRF/);
    expect(calls).toEqual(['package_create']);
    expect(JSON.stringify(err)).not.toContain(TOKEN);
  });

  it('an HTML 403 without CSRF in it stays ERR_CATALOG_WAF', async () => {
    reply = answer(403, '<html><body>Request blocked. Support ID: 1234</body></html>', {
      'content-type': 'text/html',
    });
    const c = client();
    const err = (await c.action('package_create', { name: 'x' }).catch((e) => e)) as CatalogError;
    await c.close();
    expect(err.code).toBe('ERR_CATALOG_WAF');
  });
});

describe('a site that redirects the Action API (http → https, a moved path)', () => {
  it.each([301, 302, 307, 308])(
    'HTTP %i is ERR_CATALOG_PROTOCOL naming where it points, sent once',
    async (status) => {
      reply = answer(status, '', { location: 'https://catalog.example.go.th/api/3/action/package_show' });
      const c = client();
      const err = await c.getDataset('x').catch((e) => e);
      await c.close();
      expect(err.code).toBe('ERR_CATALOG_PROTOCOL');
      expect(err.message).toContain('https://catalog.example.go.th/');
      expect(err.hint).toMatch(/baseUrl/);
      expect(calls).toEqual(['package_show']);
    },
  );

  it('a DataStore dump redirected to object storage names the store, not its signed query', async () => {
    reply = answer(302, '', {
      location: 'https://s3.example.com/bucket/r1.csv?X-Amz-Signature=s3cr3tsignature&X-Amz-Credential=AKIA',
    });
    const c = client();
    const err = await c.datastore.export('r1').catch((e) => e);
    await c.close();
    expect(err.code).toBe('ERR_CATALOG_PROTOCOL');
    expect(err.message).toContain('https://s3.example.com/bucket/r1.csv');
    expect(JSON.stringify([err.message, err.hint])).not.toMatch(/s3cr3tsignature|AKIA/);
    expect(calls).toEqual(['r1']);
  });
});

describe('a catalog without ckanext-scheming keeps the Thai fields in extras', () => {
  const personalInExtras = {
    id: 'd1',
    name: 'register',
    private: true,
    resources: [],
    extras: [
      { key: 'data_category', value: DATA_CATEGORY.personal },
      { key: 'allow_harvest', value: 'False' },
    ],
  };
  const route: Reply = (req, res, body) => {
    const action = (req.url ?? '').split('?')[0]?.split('/').pop();
    if (action === 'status_show')
      return answer(200, { help: 'h', success: true, result: { ckan_version: '2.9.11', extensions: [] } })(
        req,
        res,
        body,
      );
    if (action === 'package_show')
      return answer(200, { help: 'h', success: true, result: personalInExtras })(req, res, body);
    return answer(200, { help: 'h', success: true, result: { package: personalInExtras } })(req, res, body);
  };

  it('updateDataset does not make personal data public, wherever the category is kept', async () => {
    reply = route;
    const c = client();
    const err = await c
      .updateDataset('register', { private: false }, { skipValidation: true })
      .catch((e) => e);
    await c.close();
    expect(err.code).toBe('ERR_CATALOG_PRIVACY');
    expect(calls).not.toContain('package_revise');
    expect(calls).not.toContain('package_patch');
  });

  it('one place saying personal is enough: a flattened "public" beside an extras "personal" stays guarded', async () => {
    const mixed = { ...personalInExtras, data_category: DATA_CATEGORY.public };
    reply = (req, res, body) => {
      const action = (req.url ?? '').split('?')[0]?.split('/').pop();
      if (action === 'package_show')
        return answer(200, { help: 'h', success: true, result: mixed })(req, res, body);
      return route(req, res, body);
    };
    const c = client();
    const err = await c
      .updateDataset('register', { private: false }, { skipValidation: true })
      .catch((e) => e);
    await c.close();
    expect(err.code).toBe('ERR_CATALOG_PRIVACY');
    expect(calls).not.toContain('package_revise');
    expect(calls).not.toContain('package_patch');
  });

  it('nor lets the GD Catalog harvest it', async () => {
    reply = route;
    const c = client();
    const err = await c
      .updateDataset('register', { allow_harvest: 'True' }, { skipValidation: true })
      .catch((e) => e);
    await c.close();
    expect(err.code).toBe('ERR_CATALOG_PRIVACY');
    expect(calls).not.toContain('package_revise');
  });
});
