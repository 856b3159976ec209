import type { AgencyCatalog } from '@thgov/sandbox';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CatalogClient } from '../../src/index.js';
import { clientFor, FLAVORS, startCatalog, validDataset } from '../helpers/catalog.js';

/**
 * Attack class: the resource fields of an upload (`metadata`, often read from a spreadsheet or a job file) name
 * another resource or dataset than the call does. The privacy guard checks the resource the call names; the
 * write must not land on another one (a hidden resource shown and its file replaced), nor in another dataset.
 */
describe.each(FLAVORS)('upload metadata that names another target on CKAN %s', (flavor) => {
  let catalog: AgencyCatalog;
  let editor: CatalogClient;
  let datasetId: string;
  let hiddenId: string;
  let openId: string;

  beforeAll(async () => {
    catalog = await startCatalog(flavor);
    editor = clientFor(catalog);
    datasetId = (await editor.createDataset(validDataset())).id;
    const upload = (name: string, metadata: Record<string, unknown>) =>
      editor.uploadResource(datasetId, { content: 'a\n1\n', name, format: 'CSV', metadata });
    hiddenId = (await upload('ภายใน', { resource_private: 'True' })).id;
    openId = (await upload('เปิดเผย', {})).id;
  });

  it('replaceResource does not patch the resource named in metadata.id (a hidden one shown)', async () => {
    const err = await editor
      .replaceResource(openId, {
        content: 'a\n2\n',
        format: 'CSV',
        metadata: { id: hiddenId, resource_private: 'False' },
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_INVALID_ARG' });
    expect((await editor.getResource(hiddenId)).resource_private).toBe('True');
    await expect(clientFor(catalog, 'anonymous').getResource(hiddenId)).rejects.toMatchObject({
      code: 'ERR_CATALOG_AUTH',
    });
  });

  it('uploadResource does not create the resource in the dataset named in metadata.package_id', async () => {
    const other = await editor.createDataset(validDataset());
    const err = await editor
      .uploadResource(datasetId, {
        content: 'a\n3\n',
        name: 'ผิดที่',
        format: 'CSV',
        metadata: { package_id: other.id },
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_INVALID_ARG' });
    expect((await editor.getDataset(other.id)).resources).toHaveLength(0);
  });

  it('an upload field in metadata is refused too', async () => {
    const err = await editor
      .replaceResource(openId, { content: 'a\n4\n', format: 'CSV', metadata: { upload: 'x' } })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_INVALID_ARG' });
  });
});
