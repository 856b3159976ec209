import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogClient } from '../../src/index.js';

/**
 * Attack class: hostile responses. A compromised, broken or impersonated catalog (or something in front of it)
 * answers with huge bodies, hostile nesting, wrong types or pages that are not the Action API. Each becomes a
 * typed error (or a bounded result), never a crash, a hang or a silent success. The server here is real HTTP on
 * 127.0.0.1 scripted per path, because no honest catalog sends these.
 */

type Reply = (req: IncomingMessage, res: ServerResponse) => void;

function json(status: number, body: unknown): Reply {
  return (_req, res) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(text);
  };
}

function deepArray(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

const ok = (result: unknown) => json(200, { help: 'h', success: true, result });

const REPLIES: Record<string, Reply> = {
  '/api/3/action/package_show': ok({ id: 42, name: ['not', 'a', 'name'] }),
  '/api/3/action/resource_show': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(`{"help":"h","success":true,"result":{"id":"r","x_deep":${deepArray(200_000)}}}`);
  },
  '/api/3/action/organization_list_for_user': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(`{"help":"h","success":true,"result":${deepArray(200_000)}}`);
  },
  '/api/3/action/organization_list': ok('x'.repeat(3 * 1024 * 1024)),
  '/api/3/action/status_show': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><html><body>Please log in to the hotel Wi-Fi</body></html>');
  },
  '/api/3/action/package_search': json(200, { help: 'h', success: false }),
  '/api/3/action/package_create': (_req, res) => {
    const error: Record<string, unknown> = { __type: 'Validation Error' };
    for (let i = 0; i < 5000; i++) error[`field_${i}`] = [`bad ${i}`];
    error.resources = JSON.parse(`[${'{"x":['.repeat(500)}"deep"${']}'.repeat(500)}]`);
    json(409, { help: 'h', success: false, error })(_req, res);
  },
  '/api/3/action/package_patch': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
    res.write('{"help":"h","success":true,"result":{"id":');
    setImmediate(() => res.socket?.destroy());
  },
  '/api/3/action/datastore_search': ok({ records: 'all of them', limit: 'many' }),
  '/api/3/action/organization_show': json(500, {
    help: 'h',
    success: false,
    error: { __type: 'Internal Server Error', message: 'Internal Server Error' },
  }),
  '/api/3/action/package_list': json(400, '"Bad request - JSON Error: nope"'),
  '/harvester/api/3/action/gdcatalog_published_state': ok('not a list'),
};

let url: string;
const server = createServer((req, res) => {
  req.resume();
  const reply = REPLIES[(req.url ?? '').split('?')[0] ?? ''];
  if (reply) reply(req, res);
  else
    json(404, { help: 'h', success: false, error: { __type: 'Not Found Error', message: 'Not found' } })(
      req,
      res,
    );
});

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function client(extra: Record<string, unknown> = {}) {
  return new CatalogClient({
    baseUrl: url,
    harvesterUrl: `${url}/harvester`,
    retry: { maxRetries: 2, baseDelayInMs: 1, maxDelayInMs: 2, budget: false },
    politeness: { requestsPerSecond: false },
    maxResponseBytes: 1024 * 1024,
    schemaVersion: '2.2',
    useServerSchema: false,
    ...extra,
  });
}

describe('hostile catalog responses', () => {
  it('wrong types in a result are ERR_RESPONSE_SCHEMA', async () => {
    await expect(client().getDataset('x')).rejects.toMatchObject({ code: 'ERR_RESPONSE_SCHEMA' });
    await expect(client().datastore.search('r').next()).rejects.toMatchObject({
      code: 'ERR_RESPONSE_SCHEMA',
    });
  });

  it('hostile nesting in a result does not overflow the stack', async () => {
    await expect(client().listMyOrganizations()).rejects.toMatchObject({ code: 'ERR_RESPONSE_SCHEMA' });
    // Nesting under a field the client does not read is kept as it came, without being walked.
    const resource = await client().getResource('r');
    expect(resource.id).toBe('r');
  });

  it('a body over maxResponseBytes is refused while reading', async () => {
    await expect(client().listOrganizations()).rejects.toMatchObject({ code: 'ERR_RESPONSE_TOO_LARGE' });
  });

  it('an HTML page or an envelope without an error is ERR_CATALOG_PROTOCOL', async () => {
    await expect(client().status()).rejects.toMatchObject({ code: 'ERR_CATALOG_PROTOCOL', statusCode: 200 });
    await expect(client().searchDatasets().next()).rejects.toMatchObject({ code: 'ERR_CATALOG_PROTOCOL' });
  });

  it('a flood of field errors is bounded, with nesting cut off', async () => {
    const err = await client()
      .createDataset({}, { skipValidation: true })
      .catch((e) => e);
    expect(err.code).toBe('ERR_CATALOG_VALIDATION');
    expect(err.fieldErrors.length).toBe(200);
    expect(err.message.length).toBeLessThan(1000);
  });

  it('a truncated body is a typed error, not a hang', async () => {
    await expect(client().action('package_patch', { id: 'x' })).rejects.toMatchObject({
      code: expect.stringMatching(/^ERR_(NETWORK|RESPONSE_PARSE)$/),
    });
  });

  it('a 500 envelope is retried, then ERR_CATALOG_UNAVAILABLE; a 400 string is ERR_CATALOG_BAD_REQUEST', async () => {
    let retries = 0;
    await expect(
      client({ onRetry: () => retries++ }).action('organization_show', { id: 'x' }, { read: true }),
    ).rejects.toMatchObject({
      code: 'ERR_CATALOG_UNAVAILABLE',
      statusCode: 500,
      ckanType: 'Internal Server Error',
    });
    expect(retries).toBe(2);
    await expect(client().action('package_list', {}, { read: true })).rejects.toMatchObject({
      code: 'ERR_CATALOG_BAD_REQUEST',
      message: expect.stringContaining('Bad request - JSON Error'),
    });
  });

  it('a harvester answer of the wrong shape is ERR_CATALOG_HARVESTER', async () => {
    const c = client();
    // publicationState reads the dataset first; ask the harvester directly through deleteDataset's path instead.
    await expect(c.publicationState('x')).rejects.toMatchObject({ code: 'ERR_RESPONSE_SCHEMA' });
    const { fetchPublicationState } = await import('../../src/harvester.js');
    const { CatalogCore } = await import('../../src/context.js');
    const core = new CatalogCore({ baseUrl: url, harvesterUrl: `${url}/harvester`, retry: false });
    await expect(fetchPublicationState(core, 'x')).rejects.toMatchObject({ code: 'ERR_CATALOG_HARVESTER' });
    await core.close();
  });
});
