import type { AgencyCatalog } from '@thgov/sandbox';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CatalogClient, validateDataset } from '../../src/index.js';
import { clientFor, FLAVORS, startCatalog, validDataset } from '../helpers/catalog.js';

/**
 * Attack class: hostile input from the caller's side (a dataset.json from somewhere, records from a file): deep
 * nesting, cycles, huge values, wrong types. Each is a typed error before anything is sent, never a stack
 * overflow, a hang or a half-written dataset.
 */

function nested(depth: number): unknown {
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

describe('hostile metadata, offline', () => {
  it('flags deep nesting and cycles in fields the standard does not know', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const r = validateDataset(validDataset({ x_deep: nested(100_000), x_cycle: cyclic }), { version: '2.2' });
    expect(r.errors.map((e) => `${e.field}:${e.rule}`).sort()).toEqual([
      'x_cycle:too_deep',
      'x_deep:too_deep',
    ]);
  });

  it('flags wrong types field by field instead of throwing', () => {
    const r = validateDataset(
      validDataset({
        title: 42,
        objective: { 0: 'พันธกิจหน่วยงาน' },
        data_format: [1, 2],
        tag_string: { evil: true },
        maintainer_email: ['a@b.go.th'],
        resources: 'not a list',
      }),
      { version: '2.2' },
    );
    expect(r.errors.map((e) => `${e.field}:${e.rule}`).sort()).toEqual([
      'data_format:type',
      'maintainer_email:type',
      'objective:type',
      'resources:type',
      'tag_string:type',
      'title:type',
    ]);
  });

  it('bounds huge values and field counts', () => {
    const many = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`x_${i}`, 'v']));
    expect(validateDataset(validDataset(many), { version: '2.2' }).errors[0]?.rule).toBe('too_long');
    const r = validateDataset(validDataset({ notes: 'ก'.repeat(200_000), title: 'x'.repeat(20_000) }), {
      version: '2.2',
    });
    expect(r.errors.map((e) => `${e.field}:${e.rule}`).sort()).toEqual(['notes:too_long', 'title:too_long']);
    expect(r.errors[0]?.en.length).toBeLessThan(200);
  });
});

describe.each(FLAVORS)('hostile input to CKAN %s', (flavor) => {
  let catalog: AgencyCatalog;
  let editor: CatalogClient;
  beforeAll(async () => {
    catalog = await startCatalog(flavor);
    editor = clientFor(catalog);
  });

  it('deep or cyclic params are refused before sending, even with validation skipped', async () => {
    const before = catalog.store.packages.size;
    const cyclic: Record<string, unknown> = {};
    cyclic.me = cyclic;
    for (const extra of [{ x_deep: nested(50_000) }, { x_cycle: cyclic }, { x_big: 10n }]) {
      await expect(editor.createDataset(validDataset(extra), { skipValidation: true })).rejects.toMatchObject(
        {
          code: 'ERR_INVALID_ARG',
        },
      );
    }
    await expect(editor.createDataset(validDataset({ x_deep: nested(50_000) }))).rejects.toMatchObject({
      code: 'ERR_CATALOG_VALIDATION',
    });
    expect(catalog.store.packages.size).toBe(before);
  });

  it('records that cannot be JSON or are not objects are refused', async () => {
    const ds = await editor.createDataset(validDataset());
    const { resourceId } = await editor.datastore.create(
      { packageId: ds.id, name: 'ตาราง', format: 'CSV' },
      { fields: [{ id: 'a', type: 'text' }] },
    );
    await expect(
      editor.datastore.upsert(resourceId, [{ a: nested(100_000) }], { method: 'insert' }),
    ).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG',
    });
    await expect(
      editor.datastore.upsert(resourceId, [null as never], { method: 'insert' }),
    ).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG',
    });
    await expect(editor.datastore.upsert(resourceId, 'abc' as never)).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG',
    });
  });

  it('ids, names and options of the wrong shape are coded argument errors', async () => {
    await expect(editor.getDataset('../../etc/passwd')).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
    await expect(editor.getDataset(42 as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
    await expect(editor.getResource('a b')).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
    await expect(editor.searchDatasets({ pageSize: 'all' as never }).next()).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG',
    });
    await expect(editor.searchDatasets({ rows: 5 } as never).next()).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG',
    });
    await expect(editor.createDataset('not an object')).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
    await expect(editor.action('../package_show')).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
    await expect(editor.readCatalogChanges({ modifiedSince: 'yesterday' }).next()).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG',
    });
  });

  it('a bad JSON body, a non-dict body and an unknown action get CKAN’s 400, typed', async () => {
    const bad = await fetch(`${catalog.url}/api/3/action/package_show`, {
      method: 'POST',
      body: '{"id": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatch(/^Bad request - JSON Error/);
    const list = await fetch(`${catalog.url}/api/3/action/package_show`, {
      method: 'POST',
      body: '[1,2]',
      headers: { 'content-type': 'application/json' },
    });
    expect(await list.json()).toMatch(/needs to be a dictionary/);
    await expect(editor.action('no_such_action', {})).rejects.toMatchObject({
      code: 'ERR_CATALOG_BAD_REQUEST',
      statusCode: 400,
    });
  });
});
