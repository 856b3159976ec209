import type { AgencyCatalog } from '@thgov/sandbox';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CatalogClient, isCatalogError, OTHER } from '../src/index.js';
import { clientFor, FLAVORS, startCatalog, validDataset } from './helpers/catalog.js';

describe.each(FLAVORS)('publishing to CKAN %s', (flavor) => {
  let catalog: AgencyCatalog;
  let editor: CatalogClient;
  beforeAll(async () => {
    catalog = await startCatalog(flavor);
    editor = clientFor(catalog);
  });

  it('creates a dataset with full mandatory metadata and reads it back', async () => {
    const meta = validDataset({ objective: [OTHER], objective_other: 'แผนปฏิบัติการดิจิทัล' });
    const created = await editor.createDataset(meta);
    expect(created).toMatchObject({ name: meta.name, private: false, data_category: 'ข้อมูลสาธารณะ' });
    const read = await editor.getDataset(created.id);
    expect(read.objective).toEqual([OTHER]);
    expect((read.tags as Array<{ name: string }>).map((t) => t.name)).toEqual(['สถิติ', 'ทะเบียนสมรส']);
  });

  it('stops bad metadata offline with field-level errors, and nothing reaches the catalog', async () => {
    const before = catalog.store.packages.size;
    const err = await editor
      .createDataset(validDataset({ geo_coverage: 'ทั้งประเทศ', allow_harvest: true }))
      .catch((e) => e);
    expect(isCatalogError(err, 'ERR_CATALOG_VALIDATION')).toBe(true);
    expect(err.fieldErrors.map((f: { field: string }) => f.field).sort()).toEqual([
      'allow_harvest',
      'geo_coverage',
    ]);
    expect(err.fieldErrors[0].th).toMatch(/[ก-๙]/);
    expect(catalog.store.packages.size).toBe(before);
  });

  it('relays the catalog’s own 409 field errors (Thai and English) when the offline check is skipped', async () => {
    const err = await editor
      .createDataset(
        validDataset({ objective: ['ไม่มีในรายการ'], maintainer_email: 'nope', data_type: undefined }),
        {
          skipValidation: true,
        },
      )
      .catch((e) => e);
    expect(err).toMatchObject({
      code: 'ERR_CATALOG_VALIDATION',
      statusCode: 409,
      ckanType: 'Validation Error',
    });
    const byField = Object.fromEntries(err.fieldErrors.map((f: { field: string }) => [f.field, f]));
    expect(byField.objective).toMatchObject({ rule: 'choice', en: 'unexpected choice "ไม่มีในรายการ"' });
    expect(byField.maintainer_email.rule).toBe('email');
    expect(byField.data_type).toMatchObject({ rule: 'required', th: 'ต้องระบุค่า', en: 'Missing value' });
  });

  it('shows why the offline check matters: the catalog itself accepts a wrong single choice', async () => {
    const loose = await editor.createDataset(validDataset({ geo_coverage: 'ทั้งประเทศ' }), {
      skipValidation: true,
    });
    expect(loose.geo_coverage).toBe('ทั้งประเทศ');
  });

  it('reports a name already in use as a conflict', async () => {
    const meta = validDataset();
    await editor.createDataset(meta);
    await expect(editor.createDataset({ ...meta, title: `${meta.title} (2)` })).rejects.toMatchObject({
      code: 'ERR_CATALOG_CONFLICT',
      statusCode: 409,
    });
  });

  it('updates with package_revise: unknown fields stay, lists are replaced rather than merged by position', async () => {
    const meta = validDataset({ data_format: ['CSV', 'JSON', 'XML'] });
    const created = await editor.createDataset(meta);
    // A field this client knows nothing about (another extension's, or a newer schema's).
    await editor.action('package_patch', { id: created.id, x_ministry_reference: 'MOI-2567-001' });
    const updated = await editor.updateDataset(created.name, {
      notes: 'ปรับปรุงคำอธิบาย',
      data_format: ['PDF'],
    });
    expect(updated.notes).toBe('ปรับปรุงคำอธิบาย');
    expect(updated.data_format).toEqual(['PDF']);
    expect(updated.x_ministry_reference).toBe('MOI-2567-001');
    expect(updated.title).toBe(meta.title);
  });

  it('applies ifMetadataModified: a stale copy is a conflict, a fresh one goes through', async () => {
    const created = await editor.createDataset(validDataset());
    await editor.updateDataset(created.id, { notes: 'ครั้งที่หนึ่ง' });
    await expect(
      editor.updateDataset(
        created.id,
        { notes: 'ครั้งที่สอง' },
        { ifMetadataModified: created.metadata_modified },
      ),
    ).rejects.toMatchObject({ code: 'ERR_CATALOG_CONFLICT' });
    const fresh = await editor.getDataset(created.id);
    const ok = await editor.updateDataset(
      created.id,
      { notes: 'ครั้งที่สอง' },
      { ifMetadataModified: fresh.metadata_modified },
    );
    expect(ok.notes).toBe('ครั้งที่สอง');
  });

  it('validates the dataset as it will be after the patch', async () => {
    const created = await editor.createDataset(validDataset());
    const err = await editor.updateDataset(created.id, { update_frequency_unit: OTHER }).catch((e) => e);
    expect(err.code).toBe('ERR_CATALOG_VALIDATION');
    expect(err.fieldErrors.map((f: { field: string }) => f.field)).toEqual(['update_frequency_unit_other']);
  });

  it('refuses patches that would touch ids or resources, and writes by a user without the right', async () => {
    await expect(editor.updateDataset('annual-budget-2567', { resources: [] })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG',
    });
    const other = clientFor(catalog, 'otherEditor');
    await expect(other.updateDataset('annual-budget-2567', { notes: 'x' })).rejects.toMatchObject({
      code: 'ERR_CATALOG_AUTH',
    });
    await expect(
      other.createDataset(validDataset({ owner_org: 'strategy-division' }), { skipValidation: true }),
    ).rejects.toMatchObject({
      code: 'ERR_CATALOG_VALIDATION',
      fieldErrors: [expect.objectContaining({ field: 'owner_org' })],
    });
  });

  it('never repeats package_create after a 503, but retries an idempotent revise', async () => {
    let retries = 0;
    const client = clientFor(catalog, 'editor', { onRetry: () => retries++ });
    catalog.faults.setProfile({
      seed: 5,
      rules: [{ route: '/api/3/action/package_create', unavailable: 1 }],
    });
    const before = catalog.faults.counters.unavailable;
    try {
      await expect(client.createDataset(validDataset())).rejects.toMatchObject({
        code: 'ERR_CATALOG_UNAVAILABLE',
        statusCode: 503,
        attempt: 1,
      });
      expect(catalog.faults.counters.unavailable - before).toBe(1);
      expect(retries).toBe(0);
    } finally {
      catalog.faults.setProfile({ rules: [] });
    }
    const created = await client.createDataset(validDataset());
    catalog.faults.setProfile({
      seed: 3,
      rules: [{ route: '/api/3/action/package_revise', unavailable: 0.25 }],
    });
    try {
      for (let i = 0; i < 4; i++) await client.updateDataset(created.id, { notes: `รอบ ${i}` });
    } finally {
      catalog.faults.setProfile({ rules: [] });
    }
    expect(retries).toBeGreaterThan(0);
    expect((await client.getDataset(created.id)).notes).toBe('รอบ 3');
  });

  it('surfaces a lost race (another editor saved first) as ERR_CATALOG_CONFLICT', async () => {
    const created = await editor.createDataset(validDataset());
    catalog.faults.setProfile({ rules: [{ route: '/api/3/action/package_revise', editConflict: 1 }] });
    try {
      await expect(editor.updateDataset(created.id, { notes: 'x' })).rejects.toMatchObject({
        code: 'ERR_CATALOG_CONFLICT',
        statusCode: 409,
      });
    } finally {
      catalog.faults.setProfile({ rules: [] });
    }
  });

  it('updates and deletes resources', async () => {
    const ds = await editor.createDataset(validDataset());
    const res = await editor.uploadResource(ds.id, { content: 'a,b\n1,2\n', name: 'ตาราง', format: 'CSV' });
    const patched = await editor.updateResource(res.id, { description: 'คำอธิบายใหม่' });
    expect(patched).toMatchObject({ description: 'คำอธิบายใหม่', name: 'ตาราง', format: 'CSV' });
    await editor.deleteResource(res.id);
    await expect(editor.getResource(res.id)).rejects.toMatchObject({ code: 'ERR_CATALOG_NOT_FOUND' });
  });
});

describe('the catalog’s own schema wins over the built-in standard', () => {
  it('validates against the scheming schema the catalog serves (here with an extra licence)', async () => {
    const licence = 'Open Government License - Thailand';
    const catalog = await startCatalog('2.10', {
      adjustSchema: (schema) => {
        const field = schema.dataset_fields.find((f) => f.field_name === 'license_id');
        field?.choices?.splice(-1, 0, { value: licence, label: licence });
        return schema;
      },
    });
    const server = clientFor(catalog);
    const served = (await server.getServerSchema()) as { dataset_fields: Array<{ field_name: string }> };
    expect(served.dataset_fields.map((f) => f.field_name)).toContain('license_id');
    expect((await server.validateDataset(validDataset({ license_id: licence }))).specVersion).toBe('server');
    const created = await server.createDataset(validDataset({ license_id: licence }));
    expect(created.license_id).toBe(licence);
    const builtIn = clientFor(catalog, 'editor', { useServerSchema: false });
    await expect(builtIn.createDataset(validDataset({ license_id: licence }))).rejects.toMatchObject({
      code: 'ERR_CATALOG_VALIDATION',
      fieldErrors: [expect.objectContaining({ field: 'license_id', rule: 'choice' })],
    });
  });
});
