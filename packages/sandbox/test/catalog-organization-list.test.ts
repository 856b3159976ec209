import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgencyCatalog, startAgencyCatalog } from '../src/index.js';

/**
 * `organization_list` orders as CKAN's `_group_or_org_list` does: by `title` unless a sort is given
 * (ckan.default_group_sort), one sort field of name, title or package_count, a Validation Error for any other.
 * Clients that page it meet the real order: an organization retitled moves.
 */

let catalog: AgencyCatalog;
beforeAll(async () => {
  catalog = await startAgencyCatalog({ harvester: false, orgListMax: 300 });
  // Names and titles in opposite orders.
  for (const [i, name] of ['aa-first-by-name', 'zz-last-by-name'].entries()) {
    const title = i === 0 ? 'ฮ หน่วยงานท้ายสุด' : 'ก หน่วยงานแรกสุด';
    catalog.store.orgs.set(name, { id: name, name, title, description: '', created: '', roles: new Map() });
  }
});
afterAll(() => catalog.close());

async function list(params: Record<string, unknown>) {
  const res = await fetch(`${catalog.url}/api/3/action/organization_list`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });
  return { status: res.status, body: (await res.json()) as { result?: string[]; error?: unknown } };
}

describe('organization_list order', () => {
  it('is by title when no sort is given, and by name when asked', async () => {
    const byTitle = (await list({})).body.result ?? [];
    expect(byTitle[0]).toBe('zz-last-by-name');
    expect(byTitle.at(-1)).toBe('aa-first-by-name');
    const titles = [...catalog.store.orgs.values()].map((o) => o.title);
    expect(byTitle).toHaveLength(titles.length);
    const byName = (await list({ sort: 'name asc' })).body.result ?? [];
    expect(byName).toEqual([...byName].sort());
    expect(byName[0]).toBe('aa-first-by-name');
    expect((await list({ sort: 'name desc' })).body.result?.[0]).toBe('zz-last-by-name');
  });

  it('refuses a field CKAN cannot sort by, and more than one field', async () => {
    expect(await list({ sort: 'created asc' })).toMatchObject({
      status: 409,
      body: { error: { __type: 'Validation Error', message: 'Cannot sort by field `created`' } },
    });
    expect((await list({ sort: 'name asc, title asc' })).status).toBe(409);
  });
});
