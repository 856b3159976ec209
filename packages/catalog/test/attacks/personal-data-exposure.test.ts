import { completeThaiId, formatThaiId } from '@thgov/core';
import type { AgencyCatalog } from '@thgov/sandbox';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CatalogClient, countCitizenIds, DATA_CATEGORY } from '../../src/index.js';
import { clientFor, FLAVORS, startCatalog, validDataset } from '../helpers/catalog.js';

/**
 * Attack class: personal-data exposure. The ways a PDPA leak happens in a catalog: restricted data created
 * public (CKAN's default) or harvestable, an update that opens it, a hidden resource shown, the real register
 * uploaded instead of the aggregate.
 */

const ids = ['110170023070', '310120045678', '571020001234'].map(completeThaiId);
const register = `citizen_id,first_name,district\n${ids[0]},สมชาย,เมือง\n${formatThaiId(ids[1] as string)},สมหญิง,บางรัก\n`;

describe.each(FLAVORS)('personal data on CKAN %s', (flavor) => {
  let catalog: AgencyCatalog;
  let editor: CatalogClient;
  let datasetId: string;
  beforeAll(async () => {
    catalog = await startCatalog(flavor);
    editor = clientFor(catalog);
    datasetId = (await editor.createDataset(validDataset())).id;
  });

  it('a personal-data dataset without visibility settings is created private and unharvestable', async () => {
    const created = await editor.createDataset(
      validDataset({ data_category: DATA_CATEGORY.personal, private: undefined, allow_harvest: undefined }),
    );
    expect(created).toMatchObject({ private: true, allow_harvest: 'False' });
    await catalog.harvester!.harvest();
    expect(catalog.harvester!.state(created.name)).toBeUndefined();
    await expect(clientFor(catalog, 'anonymous').getDataset(created.name)).rejects.toMatchObject({
      code: 'ERR_CATALOG_AUTH',
    });
  });

  it('refuses restricted data made public or harvestable, unless the caller opts in for that call', async () => {
    const before = catalog.store.packages.size;
    for (const category of [DATA_CATEGORY.personal, DATA_CATEGORY.secret, DATA_CATEGORY.security]) {
      await expect(
        editor.createDataset(validDataset({ data_category: category, private: false })),
      ).rejects.toMatchObject({
        code: 'ERR_CATALOG_PRIVACY',
      });
      await expect(
        editor.createDataset(validDataset({ data_category: category, private: true, allow_harvest: 'True' })),
      ).rejects.toMatchObject({ code: 'ERR_CATALOG_PRIVACY' });
    }
    expect(catalog.store.packages.size).toBe(before);
    const intended = await editor.createDataset(
      validDataset({ data_category: DATA_CATEGORY.personal, private: false }),
      {
        allowRestrictedData: true,
      },
    );
    expect(intended.private).toBe(false);
  });

  it('an update cannot open restricted data, and data that becomes restricted is closed in the same write', async () => {
    const open = await editor.createDataset(validDataset());
    const closed = await editor.updateDataset(open.id, { data_category: DATA_CATEGORY.personal });
    expect(closed).toMatchObject({
      private: true,
      allow_harvest: 'False',
      data_category: DATA_CATEGORY.personal,
    });
    await expect(editor.updateDataset(open.id, { private: false })).rejects.toMatchObject({
      code: 'ERR_CATALOG_PRIVACY',
    });
    await expect(editor.updateDataset(open.id, { allow_harvest: 'True' })).rejects.toMatchObject({
      code: 'ERR_CATALOG_PRIVACY',
    });
    expect((await editor.getDataset(open.id)).private).toBe(true);
  });

  if (flavor === '2.10') {
    it('treats a 2.2 data_classification other than เปิดเผย, and ข้อมูลใช้ภายใน, as restricted', async () => {
      const secret = await editor.createDataset(
        validDataset({ data_classification: 'ลับ', private: undefined, allow_harvest: undefined }),
      );
      expect(secret.private).toBe(true);
      await expect(
        editor.createDataset(validDataset({ data_category: DATA_CATEGORY.internal, private: false })),
      ).rejects.toMatchObject({
        code: 'ERR_CATALOG_PRIVACY',
      });
    });
  }

  it('a hidden resource (resource_private "True") is not shown by an update or a replacement', async () => {
    const res = await editor.uploadResource(datasetId, {
      content: 'a\n1\n',
      name: 'ภายใน',
      format: 'CSV',
      metadata: { resource_private: 'True' },
    });
    await expect(clientFor(catalog, 'anonymous').getResource(res.id)).rejects.toMatchObject({
      code: 'ERR_CATALOG_AUTH',
    });
    expect(
      (await clientFor(catalog, 'anonymous').getDataset(datasetId)).resources.map((r) => r.id),
    ).not.toContain(res.id);
    await expect(editor.updateResource(res.id, { resource_private: 'False' })).rejects.toMatchObject({
      code: 'ERR_CATALOG_PRIVACY',
    });
    await expect(
      editor.replaceResource(res.id, {
        content: 'a\n2\n',
        format: 'CSV',
        metadata: { resource_private: 'False' },
      }),
    ).rejects.toMatchObject({ code: 'ERR_CATALOG_PRIVACY' });
    expect((await editor.getResource(res.id)).resource_private).toBe('True');
    const kept = await editor.updateResource(res.id, { description: 'ยังซ่อนอยู่' });
    expect(kept.resource_private).toBe('True');
  });

  it('stops a CSV holding valid citizen IDs before it is sent, without echoing them', async () => {
    const uploads = catalog.store.uploads.size;
    const err = await editor
      .uploadResource(datasetId, { content: register, name: 'ทะเบียน', format: 'CSV' })
      .catch((e) => e);
    expect(err).toMatchObject({ code: 'ERR_CATALOG_PRIVACY' });
    expect(err.message).toMatch(/2 valid 13-digit citizen IDs/);
    for (const id of ids) expect(JSON.stringify(err)).not.toContain(id);
    expect(catalog.store.uploads.size).toBe(uploads);
    async function* stream() {
      yield Buffer.from(register);
    }
    await expect(
      editor.uploadResource(datasetId, { stream: stream(), name: 'ทะเบียน', format: 'CSV' }),
    ).rejects.toMatchObject({
      code: 'ERR_CATALOG_PRIVACY',
    });
    const allowed = await editor.uploadResource(
      datasetId,
      { content: register, name: 'ทะเบียน', format: 'CSV' },
      { allowCitizenIds: true },
    );
    expect(catalog.store.uploads.get(allowed.id)?.size).toBe(Buffer.byteLength(register));
  });

  it('stops a DataStore load whose records hold citizen IDs', async () => {
    const table = await editor.datastore.create(
      { packageId: datasetId, name: 'ทะเบียนในตาราง', format: 'CSV' },
      { fields: [{ id: 'pid', type: 'text' }] },
    );
    await expect(
      editor.datastore.upsert(table.resourceId, [{ pid: ids[2] }], { method: 'insert' }),
    ).rejects.toMatchObject({
      code: 'ERR_CATALOG_PRIVACY',
    });
    expect((await editor.datastore.info(table.resourceId)).meta).toMatchObject({ count: 0 });
  });
});

describe('citizen ID detection', () => {
  it('counts checksum-valid IDs in any spelling, and nothing else', () => {
    const valid = completeThaiId('110170023070');
    const wrongDigit = `${valid.slice(0, 12)}${(Number(valid[12]) + 1) % 10}`;
    const juristic = completeThaiId('010555012345');
    expect(countCitizenIds(`${valid}`)).toBe(1);
    expect(countCitizenIds(formatThaiId(valid))).toBe(1);
    expect(countCitizenIds(formatThaiId(valid).replace(/-/g, ' '))).toBe(1);
    expect(countCitizenIds(`"${valid}",x,${valid}`)).toBe(2);
    expect(countCitizenIds(`${wrongDigit} ${juristic} 1${valid} ${valid}9 5471588`)).toBe(0);
  });
});
