import type { AgencyCatalog } from '@thgov/sandbox';
import { beforeAll, describe, expect, it } from 'vitest';
import { CatalogClient, schemaVersionOf } from '../src/index.js';
import { clientFor, FLAVORS, SCHEMA_OF, startCatalog } from './helpers/catalog.js';

describe.each(FLAVORS)('status and authentication against CKAN %s', (flavor) => {
  let catalog: AgencyCatalog;
  beforeAll(async () => {
    catalog = await startCatalog(flavor);
  });

  it('reads status_show with the thai_gdc fields and detects the schema version', async () => {
    const status = await clientFor(catalog, 'anonymous').status();
    expect(status.ckanVersion).toBe(catalog.settings.ckanVersion);
    expect(status.thaiGdcVersion).toBe(catalog.settings.thaiGdcVersion);
    expect(status.catalogType).toBe('agency');
    expect(status.schemaVersion).toBe(SCHEMA_OF[flavor]);
    expect(status.features).toEqual({
      revise: true,
      datastore: true,
      dcat: flavor === '2.10',
      scheming: true,
    });
  });

  it('sends the token as "Authorization: <token>" (no Bearer) and the catalog accepts it', async () => {
    const orgs = await clientFor(catalog, 'editor').listMyOrganizations();
    expect(orgs.map((o) => o.name).sort()).toEqual(['ict-center', 'strategy-division']);
  });

  it('works with the X-CKAN-API-Key header when configured (CKAN 2.9/2.10 apikey_header_name)', async () => {
    const c = clientFor(catalog, 'editor', { apiTokenHeader: 'X-CKAN-API-Key' });
    expect((await c.listMyOrganizations()).length).toBe(2);
  });

  it('a "Bearer …" token is not a login: the catalog treats the caller as anonymous', async () => {
    const c = clientFor(catalog, 'anonymous', {
      headers: { authorization: `Bearer ${catalog.accounts.editor.token}` },
    });
    expect(await c.listMyOrganizations()).toEqual([]);
    await expect(
      c.updateDataset('annual-budget-2567', { notes: 'x' }, { skipValidation: true }),
    ).rejects.toMatchObject({ code: 'ERR_CATALOG_AUTH', statusCode: 403, ckanType: 'Authorization Error' });
  });

  it(`legacy API keys ${flavor === '2.9' ? 'still log in on 2.9' : 'were removed in 2.10'}`, async () => {
    const c = clientFor(catalog, 'anonymous', { apiToken: catalog.accounts.editor.apiKey });
    const orgs = await c.listMyOrganizations();
    expect(orgs.length).toBe(flavor === '2.9' ? 2 : 0);
  });

  it('a read-only member may read private datasets of its organization but not edit', async () => {
    const member = clientFor(catalog, 'member');
    expect((await member.getDataset('elderly-allowance-register')).private).toBe(true);
    await expect(
      member.updateDataset('population-by-province-2566', { notes: 'แก้ไข' }, { skipValidation: true }),
    ).rejects.toMatchObject({ code: 'ERR_CATALOG_AUTH' });
  });

  it('reads through the data.go.th-style gateway (/get-ckan/{action}, api-key header) and refuses a bad key', async () => {
    const opend = clientFor(catalog, 'anonymous', { gateway: 'opend', apiToken: catalog.opendApiKey });
    expect((await opend.getDataset('annual-budget-2567')).name).toBe('annual-budget-2567');
    const wrong = clientFor(catalog, 'anonymous', { gateway: 'opend', apiToken: 'not-the-registered-key' });
    await expect(wrong.getDataset('annual-budget-2567')).rejects.toMatchObject({
      code: 'ERR_CATALOG_AUTH',
      statusCode: 401,
    });
  });

  it('a base URL without CKAN behind it is a protocol error, not a crash', async () => {
    const c = clientFor(catalog, 'anonymous', { baseUrl: `${catalog.url}/not-ckan` });
    await expect(c.status()).rejects.toMatchObject({ code: 'ERR_CATALOG_PROTOCOL', statusCode: 404 });
  });
});

describe('schema version detection', () => {
  it('prefers thai_gdc’s version, falls back to the CKAN version', () => {
    expect(schemaVersionOf('2.10.7', '2.2.4')).toBe('2.2');
    expect(schemaVersionOf('2.9.11', '2.1.0')).toBe('2.1');
    expect(schemaVersionOf('2.10.1', '2.1.0')).toBe('2.1');
    expect(schemaVersionOf('2.10.1', undefined)).toBe('2.2');
    expect(schemaVersionOf('2.9.5', undefined)).toBe('2.1');
    expect(schemaVersionOf('garbage', undefined)).toBe('2.1');
  });

  it('refuses unknown and mistyped options, naming them', () => {
    expect(() => new CatalogClient({ baseUrl: 'http://127.0.0.1:9', apiTokn: 'x' } as never)).toThrow(
      /unrecognized|apiTokn/i,
    );
    expect(() => new CatalogClient({ baseUrl: 'http://127.0.0.1:9', schemaVersion: '3.0' } as never)).toThrow(
      /schemaVersion/,
    );
    expect(() => new CatalogClient({ baseUrl: 'http://127.0.0.1:9', apiTokenHeader: 'bad header' })).toThrow(
      /apiTokenHeader/,
    );
  });
});
