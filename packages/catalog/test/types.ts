/**
 * Compiled by `pnpm typecheck`, never run: what must and must not type-check in the public API.
 */
import { CatalogClient, type CatalogError, isCatalogError, type ThaiGdcDataset22 } from '../src/index.js';

// @ts-expect-error an unknown option key does not compile
new CatalogClient({ baseUrl: 'http://127.0.0.1', apiTokn: 'x' });

// @ts-expect-error schemaVersion is '2.1' | '2.2' | 'auto'
new CatalogClient({ baseUrl: 'http://127.0.0.1', schemaVersion: '3' });

export function narrows(err: unknown): 'ERR_CATALOG_AUTH' | undefined {
  if (isCatalogError(err, 'ERR_CATALOG_AUTH')) {
    const code: 'ERR_CATALOG_AUTH' = err.code;
    const fields: CatalogError['fieldErrors'] = err.fieldErrors;
    return fields.length >= 0 ? code : undefined;
  }
  return undefined;
}

export const wrongChoice: Partial<ThaiGdcDataset22> = {
  // @ts-expect-error a value outside the exact Thai choices does not compile
  geo_coverage: 'ทั้งประเทศ',
};
