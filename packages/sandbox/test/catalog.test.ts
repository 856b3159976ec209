import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMultipart } from '../src/catalog/multipart.js';
import { checkDict, filterGlob, updateMergeDict, updateMergeStringKey } from '../src/catalog/revise.js';
import { type AgencyCatalog, startAgencyCatalog } from '../src/index.js';

/** The agency catalog as raw HTTP sees it: CKAN's envelopes, statuses and quirks. */

let catalog: AgencyCatalog;
let editor: Record<string, string>;
beforeAll(async () => {
  catalog = await startAgencyCatalog({ rowsMax: 2, harvester: false });
  editor = { authorization: catalog.accounts.editor.token, 'content-type': 'application/json' };
});
afterAll(() => catalog.close());

async function call(action: string, body: unknown, headers: Record<string, string> = editor) {
  const res = await fetch(`${catalog.url}/api/3/action/${action}`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('the Action API as CKAN 2.10 + thai_gdc answers it', () => {
  it('wraps results as {help, success, result} and errors by type and status', async () => {
    const ok = await call('package_show', { id: 'annual-budget-2567' });
    expect(Object.keys(ok.body)).toEqual(['help', 'success', 'result']);
    expect(ok.body.help).toBe(`${catalog.url}/api/3/action/help_show?name=package_show`);
    expect(await call('package_show', { id: 'nope' })).toMatchObject({
      status: 404,
      body: { success: false, error: { __type: 'Not Found Error' } },
    });
    const anon = await call(
      'package_show',
      { id: 'elderly-allowance-register' },
      { 'content-type': 'application/json' },
    );
    expect(anon).toMatchObject({ status: 403, body: { error: { __type: 'Authorization Error' } } });
    const invalid = await call('package_create', { name: 'x', owner_org: 'strategy-division' });
    expect(invalid.status).toBe(409);
    expect(invalid.body.error).toMatchObject({
      __type: 'Validation Error',
      maintainer: ['Missing value'],
      objective: ['Select at least one'],
    });
    expect(await call('no_such_action', {})).toEqual({
      status: 400,
      body: 'Bad request - Action name not known: no_such_action' as never,
    });
    const get = await fetch(`${catalog.url}/api/3/action/package_create`);
    expect(get.status).toBe(400);
    expect(await get.json()).toMatch(/Please use POST method/);
  });

  it('caps rows at rows_max silently and lets GET carry the parameters of side-effect-free actions', async () => {
    const res = await fetch(`${catalog.url}/api/3/action/package_search?rows=1000&sort=name%20asc`);
    const body = (await res.json()) as { result: { count: number; results: Array<{ name: string }> } };
    expect(body.result.count).toBe(4);
    expect(body.result.results.map((r) => r.name)).toEqual([
      'annual-budget-2567',
      'health-promoting-hospitals-location',
    ]);
  });

  it('datastore_search orders rows tied on the sort differently from one LIMIT/OFFSET window to the next', async () => {
    const pkg = await call('package_show', { id: 'annual-budget-2567' });
    const created = await call('datastore_create', {
      resource: { package_id: (pkg.body.result as { id: string }).id, name: 'ties', format: 'CSV' },
      fields: [{ id: 'grp', type: 'text' }],
      records: Array.from({ length: 12 }, () => ({ grp: 'same' })),
    });
    expect(created.body.error).toBeUndefined();
    const rid = (created.body.result as { resource_id: string }).resource_id;
    const window = async (sort: string, offset: number, limit: number) => {
      const res = await call('datastore_search', { resource_id: rid, sort, offset, limit });
      return (res.body.result as { records: Array<{ _id: number }> }).records.map((r) => r._id);
    };
    // The first 4 rows of the first window of 8 are not the first window of 4: ties moved.
    expect((await window('grp', 0, 8)).slice(0, 4)).not.toEqual(await window('grp', 0, 4));
    // Made total by _id, every window agrees.
    expect((await window('grp, _id', 0, 8)).slice(0, 4)).toEqual(await window('grp, _id', 0, 4));
    expect(await window('grp, _id', 0, 4)).toEqual([1, 2, 3, 4]);
  });

  it('accepts the token in Authorization or X-CKAN-API-Key, never as "Bearer"', async () => {
    const mine = async (headers: Record<string, string>) =>
      (
        (await call('organization_list_for_user', { permission: 'create_dataset' }, headers)).body
          .result as unknown[]
      ).length;
    expect(await mine({ authorization: catalog.accounts.editor.token })).toBe(2);
    expect(await mine({ 'x-ckan-api-key': catalog.accounts.editor.token })).toBe(2);
    expect(await mine({ authorization: `Bearer ${catalog.accounts.editor.token}` })).toBe(0);
    expect(await mine({ authorization: catalog.accounts.editor.apiKey })).toBe(0);
  });

  it('status_show carries thai_gdc’s fields', async () => {
    const { body } = await call('status_show', {});
    expect(body.result).toMatchObject({
      ckan_version: '2.10.7',
      thaigdc_version: '2.2.4',
      thaigdc_catalog_type: 'agency',
    });
  });

  it('package_revise: match guards, filter removes, update merges lists by position', async () => {
    const ds = (await call('package_show', { id: 'schools-directory' })).body.result as Record<
      string,
      unknown
    >;
    const stale = await call('package_revise', {
      match: { id: ds.id, metadata_modified: '2000-01-01T00:00:00' },
      update: { notes: 'x' },
    });
    expect(stale).toMatchObject({
      status: 409,
      body: { error: { __type: 'Validation Error', match: ['metadata_modified'] } },
    });
    const merged = await call('package_revise', { match: { id: ds.id }, update: { data_format: ['XML'] } });
    // ["CSV", "JSON"] updated with ["XML"]: the first item is replaced, the second stays.
    expect((merged.body.result as { package: { data_format: string[] } }).package.data_format).toEqual([
      'XML',
      'JSON',
    ]);
    const replaced = await call('package_revise', {
      match: { id: ds.id },
      filter: ['-data_format'],
      update: { data_format: ['XML'] },
    });
    expect((replaced.body.result as { package: { data_format: string[] } }).package.data_format).toEqual([
      'XML',
    ]);
  });
});

describe('package_revise’s dict operations', () => {
  it('match, filter, positional update and flattened keys', () => {
    const data = {
      a: 1,
      list: [
        { id: 'abcdef-1', x: 1 },
        { id: 'ghijkl-2', x: 2 },
      ],
      tags: ['a', 'b', 'c'],
    };
    expect(checkDict(data, { a: 1, list: [{ x: 1 }] })).toEqual([]);
    expect(checkDict(data, { a: 2, missing: 1 })).toEqual([['a'], ['missing']]);
    const copy = structuredClone(data);
    filterGlob(copy, ['+list__0', '-list__*', '-a']);
    expect(copy).toEqual({ list: [{ id: 'abcdef-1', x: 1 }], tags: ['a', 'b', 'c'] });
    const merged = structuredClone(data);
    updateMergeDict(merged, { tags: ['z'], list: [{ x: 9 }] });
    expect(merged.tags).toEqual(['z', 'b', 'c']);
    expect(merged.list[0]).toEqual({ id: 'abcdef-1', x: 9 });
    updateMergeStringKey(merged, 'list__ghijk__x', 7);
    updateMergeStringKey(merged, 'list__extend', [{ id: 'new' }]);
    expect(merged.list.map((l) => l.x)).toEqual([9, 7, undefined]);
  });
});

describe('the streaming multipart reader', () => {
  it('finds boundaries split across chunks of any size and hashes files without keeping big ones', async () => {
    const boundary = '----thgovTEST';
    const file = Buffer.alloc(300_000, 0x61);
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nข้อมูล\r\n`),
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="tag"\r\n\r\na\r\n--${boundary}\r\nContent-Disposition: form-data; name="tag"\r\n\r\nb\r\n`,
      ),
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="upload"; filename="ข้อมูล.csv"\r\nContent-Type: text/csv\r\n\r\n`,
      ),
      file,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    for (const size of [1, 7, 64 * 1024]) {
      async function* chunks() {
        for (let i = 0; i < body.length; i += size) yield body.subarray(i, i + size);
      }
      const r = await readMultipart(chunks(), boundary, { maxFieldBytes: 1024, keepFileBytes: 1000 });
      expect(r.fields).toEqual({ name: 'ข้อมูล', tag: ['a', 'b'] });
      const upload = r.files.get('upload');
      expect(upload).toMatchObject({
        fileName: 'ข้อมูล.csv',
        contentType: 'text/csv',
        size: file.length,
        bytes: undefined,
      });
    }
    async function* cut() {
      yield body.subarray(0, 1000);
    }
    await expect(readMultipart(cut(), boundary, { maxFieldBytes: 1024, keepFileBytes: 0 })).rejects.toThrow(
      /ended early/,
    );
  });
});

describe('ckanext-dcat beyond /catalog.jsonld (CKAN 2.10): /dataset/{id}.{rdf|ttl|jsonld}, /catalog.{fmt}, /dcat.json', () => {
  const DCT_TITLE = 'http://purl.org/dc/terms/title';

  it('one dataset in each serialization, by name or id; a private one only for who may read it', async () => {
    const shown = await call('package_show', { id: 'annual-budget-2567' });
    const pkg = shown.body.result as { id: string; title: string };
    const jsonld = await fetch(`${catalog.url}/dataset/annual-budget-2567.jsonld`);
    expect(jsonld.headers.get('content-type')).toMatch(/^application\/ld\+json/);
    const nodes = (await jsonld.json()) as Array<Record<string, unknown>>;
    expect(nodes[0]).toMatchObject({
      '@id': `${catalog.url}/dataset/${pkg.id}`,
      '@type': ['http://www.w3.org/ns/dcat#Dataset'],
      [DCT_TITLE]: [{ '@value': pkg.title }],
    });
    const ttl = await fetch(`${catalog.url}/dataset/${pkg.id}.ttl`);
    expect(ttl.headers.get('content-type')).toMatch(/^text\/turtle/);
    const turtle = await ttl.text();
    expect(turtle).toContain(
      `<${catalog.url}/dataset/${pkg.id}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/ns/dcat#Dataset>`,
    );
    expect(turtle).toContain(`<${DCT_TITLE}> ${JSON.stringify(pkg.title)}`);
    const rdf = await fetch(`${catalog.url}/dataset/annual-budget-2567.rdf`);
    expect(rdf.headers.get('content-type')).toMatch(/^application\/rdf\+xml/);
    const xml = await rdf.text();
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?>\n<rdf:RDF /);
    expect(xml).toContain(`<rdf:Description rdf:about="${catalog.url}/dataset/${pkg.id}">`);
    expect(xml).toContain('xmlns:ns="http://purl.org/dc/terms/"');
    // ckanext-dcat's read_dataset turns NotFound and NotAuthorized alike into the web 404.
    for (const path of ['/dataset/no-such-dataset.ttl', '/dataset/elderly-allowance-register.jsonld']) {
      const res = await fetch(`${catalog.url}${path}`);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    }
    const own = await fetch(`${catalog.url}/dataset/elderly-allowance-register.jsonld`, {
      headers: { authorization: catalog.accounts.otherEditor.token },
    });
    expect(own.status).toBe(200);
  });

  it('/catalog.ttl and /catalog.rdf page like /catalog.jsonld, with links in their own format', async () => {
    const ttl = await (await fetch(`${catalog.url}/catalog.ttl?page=1`)).text();
    expect(ttl).toContain(`<${catalog.url}/catalog.ttl?page=1>`);
    expect(ttl).toContain('<http://www.w3.org/ns/hydra/core#totalItems>');
    expect(ttl).not.toContain('elderly-allowance-register');
    const rdf = await fetch(`${catalog.url}/catalog.rdf`);
    expect(rdf.status).toBe(200);
    expect(await rdf.text()).toContain('http://www.w3.org/ns/dcat#Catalog');
    expect((await fetch(`${catalog.url}/catalog.xyz`)).status).toBe(404);
  });

  it('/dcat.json lists public datasets as plain DCAT-JSON dicts, 100 a page', async () => {
    const res = await fetch(`${catalog.url}/dcat.json`);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const list = (await res.json()) as Array<Record<string, unknown>>;
    const titles = list.map((d) => d.title);
    const shown = await call('package_show', { id: 'annual-budget-2567' });
    expect(titles).toContain((shown.body.result as { title: string }).title);
    expect(list.every((d) => Array.isArray(d.keyword) && Array.isArray(d.distribution))).toBe(true);
    expect(list.length).toBeLessThanOrEqual(100);
    expect(await (await fetch(`${catalog.url}/dcat.json?page=999`)).json()).toEqual([]);
  });

  it('CKAN 2.9 catalogs (no ckanext-dcat) answer none of them', async () => {
    const old = await startAgencyCatalog({ flavor: '2.9', harvester: false });
    try {
      for (const path of ['/dcat.json', '/catalog.ttl', '/dataset/annual-budget-2567.rdf'])
        expect((await fetch(`${old.url}${path}`)).status).toBe(404);
    } finally {
      await old.close();
    }
  });
});
