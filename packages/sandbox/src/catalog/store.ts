import type { Random } from '../random.js';

/** A member's role in an organization, as CKAN names them. */
export type OrgRole = 'admin' | 'editor' | 'member';

/** A catalog user and its credentials. */
export interface CatalogUser {
  id: string;
  name: string;
  sysadmin: boolean;
  /** API token (CKAN ≥ 2.9). */
  token: string;
  /** Legacy API key: accepted only by the 2.9 flavour (removed in CKAN 2.10, key creation off in thai_gdc). */
  apiKey: string;
}

/** An organization and its members’ roles. */
export interface CatalogOrganization {
  id: string;
  name: string;
  title: string;
  description: string;
  created: string;
  roles: Map<string, OrgRole>;
}

/** Datasets and resources are kept as the dicts package_show returns. */
export type Dict = Record<string, unknown>;
/** A resource as stored. */
export interface StoredResource extends Dict {
  id: string;
  package_id: string;
}
/** A dataset as stored (package_show adds organization and counts). */
export interface StoredPackage extends Dict {
  id: string;
  name: string;
  owner_org: string;
  private: boolean;
  state: string;
  metadata_modified: string;
  resources: StoredResource[];
}

/** An uploaded file: its size and digest, and its bytes only when small (bounded memory, 200 MB uploads). */
export interface StoredUpload {
  fileName: string;
  size: number;
  sha256: string;
  bytes: Buffer | undefined;
}

/** CKAN-style UUIDs from the seeded generator (same seed, same ids). */
export function uuidFrom(random: Random): string {
  const hex = Array.from({ length: 32 }, () => random.int(0, 15).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The catalog's state: users and tokens, organizations, datasets with their resources, uploads. Plain maps;
 * the actions hold the rules.
 */
export class CatalogStore {
  readonly users = new Map<string, CatalogUser>();
  readonly orgs = new Map<string, CatalogOrganization>();
  readonly packages = new Map<string, StoredPackage>();
  readonly uploads = new Map<string, StoredUpload>();
  readonly #names = new Map<string, string>();
  readonly #random: Random;
  #lastTime = 0;
  #sub = 0;

  constructor(random: Random) {
    this.#random = random;
  }

  newId(): string {
    return uuidFrom(this.#random);
  }

  newToken(prefix: string): string {
    const body = Array.from({ length: 43 }, () =>
      'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.charAt(this.#random.int(0, 63)),
    ).join('');
    return `${prefix}.${body}`;
  }

  /** CKAN's timestamps (`2024-01-13T10:20:30.123456`, UTC, no zone), strictly increasing. */
  now(): string {
    const ms = Date.now();
    if (ms > this.#lastTime) {
      this.#lastTime = ms;
      this.#sub = 0;
    } else this.#sub++;
    const iso = new Date(this.#lastTime).toISOString().replace('Z', '');
    return `${iso}${String(this.#sub % 1000).padStart(3, '0')}`;
  }

  userByCredential(value: string): CatalogUser | undefined {
    for (const u of this.users.values()) if (u.token === value || u.apiKey === value) return u;
    return undefined;
  }

  orgByIdOrName(v: unknown): CatalogOrganization | undefined {
    if (typeof v !== 'string') return undefined;
    return this.orgs.get(v) ?? [...this.orgs.values()].find((o) => o.name === v);
  }

  findPackage(idOrName: unknown): StoredPackage | undefined {
    if (typeof idOrName !== 'string') return undefined;
    return this.packages.get(idOrName) ?? this.packages.get(this.#names.get(idOrName) ?? '');
  }

  /** Any package with this name, also deleted ones (CKAN: "That URL is already in trash."). */
  packageNamed(name: string): StoredPackage | undefined {
    return this.packages.get(this.#names.get(name) ?? '');
  }

  findResource(id: unknown): { pkg: StoredPackage; res: StoredResource; index: number } | undefined {
    if (typeof id !== 'string') return undefined;
    for (const pkg of this.packages.values()) {
      if (pkg.state === 'deleted') continue;
      const index = pkg.resources.findIndex((r) => r.id === id);
      const res = pkg.resources[index];
      if (res) return { pkg, res, index };
    }
    return undefined;
  }

  savePackage(pkg: StoredPackage, previousName?: string): void {
    if (previousName && previousName !== pkg.name) this.#names.delete(previousName);
    this.packages.set(pkg.id, pkg);
    this.#names.set(pkg.name, pkg.id);
  }

  roleIn(user: CatalogUser | undefined, orgId: string): OrgRole | undefined {
    if (!user) return undefined;
    return this.orgs.get(orgId)?.roles.get(user.id);
  }

  /** Editors and admins of the owning organization (and sysadmins) may change a dataset. */
  canEdit(user: CatalogUser | undefined, orgId: string): boolean {
    if (user?.sysadmin) return true;
    const role = this.roleIn(user, orgId);
    return role === 'admin' || role === 'editor';
  }

  /** Public datasets are readable by all; private ones by any member of the organization. */
  canRead(user: CatalogUser | undefined, pkg: StoredPackage): boolean {
    if (pkg.state === 'deleted') return user?.sysadmin === true;
    return !pkg.private || user?.sysadmin === true || this.roleIn(user, pkg.owner_org) !== undefined;
  }
}
