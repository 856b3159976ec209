import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { completeThaiId } from '@thgov/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogClient } from '../../src/index.js';
import { fieldError } from '../../src/metadata/messages.js';

/**
 * Redact before truncating: the catalog's error messages quote what CKAN sent (an envelope's `message`, a
 * field's messages, a 400 string body) cut to 500, 500 and 300 characters, and the cut came before the
 * redaction. A citizen ID straddling the cut kept its first 12 digits (enough: the 13th is a check digit).
 * The server is real HTTP on 127.0.0.1, answering as a catalog that echoes what it was sent.
 */

const ID = completeThaiId('310370012345');

/** `cut - keep` letters, then the ID, so a cut at `cut` characters keeps `keep` of its digits. */
const straddling = (cut: number, keep: number) => `${'x'.repeat(cut - keep)}${ID} was rejected`;

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

let keep = 12;
const server = createServer((req, res) => {
  req.resume();
  const path = (req.url ?? '').split('?')[0];
  if (path === '/api/3/action/organization_show')
    send(res, 403, {
      help: 'h',
      success: false,
      error: { __type: 'Authorization Error', message: straddling(500, keep) },
    });
  else if (path === '/api/3/action/package_create')
    send(res, 409, {
      help: 'h',
      success: false,
      error: { __type: 'Validation Error', notes: [straddling(500, keep)] },
    });
  else send(res, 400, straddling(300, keep));
});

let url: string;
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function client() {
  return new CatalogClient({
    baseUrl: url,
    retry: { maxRetries: 0, baseDelayInMs: 1, maxDelayInMs: 2, budget: false },
    politeness: { requestsPerSecond: false },
    schemaVersion: '2.2',
    useServerSchema: false,
  });
}

/** Every digit a reader of the error could see, in every way the error is written out. */
function digitsOf(err: unknown): string {
  return [String((err as Error).message), JSON.stringify(err), inspect(err, { depth: 10 })]
    .join('\n')
    .replace(/\D/g, '');
}

describe('redact before truncate (catalog error messages)', () => {
  for (const k of [12, 10]) {
    it(`an envelope message cut after ${k} digits of an ID keeps none of them`, async () => {
      keep = k;
      const err = await client()
        .action('organization_show', { id: 'x' }, { read: true })
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'ERR_CATALOG_AUTH' });
      expect(digitsOf(err)).not.toContain(ID.slice(0, 8));
    });

    it(`a field message cut after ${k} digits of an ID keeps none of them`, async () => {
      keep = k;
      const err = (await client()
        .createDataset({}, { skipValidation: true })
        .catch((e: unknown) => e)) as { code: string; fieldErrors: unknown[] };
      expect(err.code).toBe('ERR_CATALOG_VALIDATION');
      expect(err.fieldErrors.length).toBeGreaterThan(0);
      expect(digitsOf(err)).not.toContain(ID.slice(0, 8));
    });

    it(`a 400 string body cut after ${k} digits of an ID keeps none of them`, async () => {
      keep = k;
      const err = await client()
        .action('package_list', {}, { read: true })
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'ERR_CATALOG_BAD_REQUEST' });
      expect(digitsOf(err)).not.toContain(ID.slice(0, 8));
    });
  }

  it('a quoted field value cut after 12 digits of an ID keeps none of them', () => {
    const value = [`${'x'.repeat(80 - 12)}${ID}`];
    const err = fieldError('extras', { th: 'ค่าเพิ่มเติม', en: 'extras' }, 'choice', value);
    expect(`${err.en}${err.th}`.replace(/\D/g, '')).not.toContain(ID.slice(0, 8));
  });
});
