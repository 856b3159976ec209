import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AgencyCatalog } from '@thgov/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogClient } from '../../src/index.js';
import { clientFor, startCatalog } from '../helpers/catalog.js';

/**
 * `organization_list` paged by offset while other clients edit organizations. CKAN orders the list by `title`
 * unless asked otherwise (ckan.default_group_sort): an organization retitled during the walk jumps to another
 * offset, so a walk in title order skips one organization and repeats another. An organization deleted behind
 * the reader shifts every later one down, and a plain offset step jumps over one. A sync tool that reads "not
 * listed" as "deleted" then drops a live organization. The catalog caps each page silently (thai_gdc 300, CKAN 25
 * with all fields); here at 2, so that a walk takes many pages. Between two pages a front proxy (real HTTP on
 * 127.0.0.1) lets the test change the catalog, as another client would.
 */

let catalog: AgencyCatalog;
let front: string;
let between: ((page: number) => void) | undefined;
let pages = 0;
const proxy = createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const upstream = await fetch(`${catalog.url}${req.url}`, {
    method: req.method,
    headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
    body: req.method === 'POST' ? Buffer.concat(chunks) : undefined,
  });
  const body = Buffer.from(await upstream.arrayBuffer());
  if ((req.url ?? '').includes('organization_list')) between?.(++pages);
  res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? '' });
  res.end(body);
});

beforeAll(async () => {
  catalog = await startCatalog('2.10', { orgListMax: 2 });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  front = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => proxy.close(() => r())));

let run = 0;
/** n organizations of this test, named in one order and titled in the reverse one. */
function seedOrgs(n: number): string[] {
  run++;
  const names: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = `org-${run}-${i}`;
    const name = `paging-${run}-${String.fromCharCode(97 + i)}`;
    const title = `หน่วยงาน ${run} ${String.fromCharCode(122 - i)}`;
    catalog.store.orgs.set(id, { id, name, title, description: '', created: '', roles: new Map() });
    names.push(name);
  }
  return names;
}

function client(): CatalogClient {
  return clientFor(catalog, 'anonymous', { baseUrl: front });
}

function live(): string[] {
  return [...catalog.store.orgs.values()].map((o) => o.name).sort();
}

/** Lists the organizations, calling `change` after the given page has been answered. */
async function listWhile(afterPage: number, change: () => void): Promise<string[]> {
  pages = 0;
  between = (page) => {
    if (page === afterPage) change();
  };
  try {
    return (await client().listOrganizations()).map((o) => o.name);
  } finally {
    between = undefined;
  }
}

function expectEveryLiveOnce(listed: string[]): void {
  expect(new Set(listed).size).toBe(listed.length);
  expect([...listed].sort()).toEqual(live());
}

describe('organization_list paging while other clients edit organizations', () => {
  it('an organization retitled during the walk is listed, and no other is skipped', async () => {
    const names = seedOrgs(6);
    const listed = await listWhile(2, () => {
      // Retitled to sort first in title order: every organization after it moves one place up.
      const last = [...catalog.store.orgs.values()].find((o) => o.name === names[0]);
      if (last) last.title = 'ก กองที่เปลี่ยนชื่อ';
    });
    expectEveryLiveOnce(listed);
  });

  it('an organization deleted behind the reader makes no later one go missing', async () => {
    seedOrgs(5);
    let victim = '';
    const listed = await listWhile(2, () => {
      const first = [...catalog.store.orgs.values()].sort((a, b) => a.name.localeCompare(b.name))[0];
      victim = first?.name ?? '';
      if (first) catalog.store.orgs.delete(first.id);
    });
    expect(victim).not.toBe('');
    expectEveryLiveOnce(listed.filter((n) => n !== victim));
  });

  it('more organizations deleted behind the reader than a page holds still lose none', async () => {
    seedOrgs(7);
    const gone: string[] = [];
    const listed = await listWhile(4, () => {
      const sorted = [...catalog.store.orgs.values()].sort((a, b) => a.name.localeCompare(b.name));
      for (const o of sorted.slice(0, 5)) {
        gone.push(o.name);
        catalog.store.orgs.delete(o.id);
      }
    });
    expect(gone).toHaveLength(5);
    expectEveryLiveOnce(listed.filter((n) => !gone.includes(n)));
  });

  it('without changes, every organization comes once', async () => {
    seedOrgs(3);
    const listed = await listWhile(0, () => undefined);
    expectEveryLiveOnce(listed);
  });

  it('a catalog of one organization, and of none, is listed whole', async () => {
    catalog.store.orgs.clear();
    seedOrgs(1);
    expect(await listWhile(0, () => undefined)).toEqual(live());
    expect(live()).toHaveLength(1);
    catalog.store.orgs.clear();
    expect(await listWhile(0, () => undefined)).toEqual([]);
  });
});
