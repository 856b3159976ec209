import type { DataStoreTables } from './datastore-tables.js';
import { FIXTURE_ORGANIZATIONS, FIXTURE_POPULATION, loadFixtures } from './fixtures.js';
import type { CatalogStore, CatalogUser, OrgRole } from './store.js';

/** A user of the sandbox catalog and the credentials a client sends. */
export interface CatalogAccount {
  name: string;
  /** API token (CKAN ≥ 2.9). */
  token: string;
  /** Legacy API key (accepted by the 2.9 flavour only). */
  apiKey: string;
}

/** The sandbox catalog's users: a sysadmin, an editor, a read-only member, and an editor of another organization. */
export interface CatalogAccounts {
  sysadmin: CatalogAccount;
  /** Editor of strategy-division and ict-center. */
  editor: CatalogAccount;
  /** Member (read-only) of strategy-division and welfare-division. */
  member: CatalogAccount;
  /** Editor of welfare-division only. */
  otherEditor: CatalogAccount;
}

const ROLES: Record<keyof CatalogAccounts, Array<[string, OrgRole]>> = {
  sysadmin: [],
  editor: [
    ['strategy-division', 'editor'],
    ['ict-center', 'editor'],
  ],
  member: [
    ['strategy-division', 'member'],
    ['welfare-division', 'member'],
  ],
  otherEditor: [['welfare-division', 'editor']],
};

const USER_NAMES: Record<keyof CatalogAccounts, string> = {
  sysadmin: 'ckan_admin',
  editor: 'somchai.data',
  member: 'malee.viewer',
  otherEditor: 'prasert.welfare',
};

/** Users, organizations, the fixture datasets and the population table in the DataStore. */
export function seedCatalog(
  store: CatalogStore,
  tables: DataStoreTables,
  withFixtures: boolean,
): { accounts: CatalogAccounts; opendApiKey: string } {
  const orgIds = new Map<string, string>();
  for (const o of FIXTURE_ORGANIZATIONS) {
    const id = store.newId();
    store.orgs.set(id, {
      id,
      name: o.name,
      title: o.title,
      description: o.description,
      created: store.now(),
      roles: new Map(),
    });
    orgIds.set(o.name, id);
  }
  const accounts = {} as CatalogAccounts;
  for (const key of Object.keys(ROLES) as Array<keyof CatalogAccounts>) {
    const user: CatalogUser = {
      id: store.newId(),
      name: USER_NAMES[key],
      sysadmin: key === 'sysadmin',
      token: store.newToken('eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9'),
      apiKey: store.newId(),
    };
    store.users.set(user.id, user);
    for (const [org, role] of ROLES[key]) store.orgs.get(orgIds.get(org) as string)?.roles.set(user.id, role);
    accounts[key] = { name: user.name, token: user.token, apiKey: user.apiKey };
  }
  if (withFixtures) {
    const ids = loadFixtures(store, orgIds);
    const pkg = store.findPackage(ids.get('population-by-province-2566'));
    if (pkg) {
      const rid = store.newId();
      pkg.resources.push({
        id: rid,
        package_id: pkg.id,
        name: 'ประชากรรายจังหวัด 2566',
        format: 'CSV',
        url: `/datastore/dump/${rid}`,
        url_type: 'datastore',
        datastore_active: true,
        position: 0,
        created: store.now(),
      });
      const table = tables.create(
        rid,
        [
          { id: 'province', type: 'text' },
          { id: 'population', type: 'int' },
          { id: 'male', type: 'int' },
          { id: 'female', type: 'int' },
        ],
        ['province'],
      );
      tables.write(table, FIXTURE_POPULATION, 'insert');
    }
  }
  return { accounts, opendApiKey: store.newToken('opend') };
}
