import { CatalogClient, type CatalogStatus, specFromScheming } from '@thgov/catalog';
import { DEFAULT_TIMEOUTS, type TlsOptions } from '@thgov/core';
import { catalogClientOptions, mergeTransport } from '../config/client-options.js';
import type { ThgovConfig } from '../config/schema.js';
import { checkConfiguredEndpoint } from './endpoint-checks.js';
import { CheckFailure, type CheckRunner } from './runner.js';
import type { DoctorSettings } from './settings.js';

/** thai_gdc releases whose metadata standard the client ships (2.0 and 2.1 share the 2.1 schema). */
const KNOWN_THAI_GDC = /^2\.[0-2]\./;

/**
 * The agency data catalog: reachable (endpoint checks and `status_show`), its CKAN and thai_gdc versions, the
 * token accepted by an authorised read (`organization_list_for_user`), and a metadata schema the client knows.
 */
export async function checkCatalog(r: CheckRunner, config: ThgovConfig, s: DoctorSettings): Promise<void> {
  const c = config.catalog;
  if (!c) return;
  const options = catalogClientOptions(config);
  const t = mergeTransport(config.transport, c.transport);
  const url = new URL(c.baseUrl);
  await checkConfiguredEndpoint(r, s, {
    platform,
    prefix: 'catalog',
    label: 'data catalog',
    tlsKey: c.transport?.tls ? 'catalog.transport.tls' : 'transport.tls',
    url,
    proxy: t.proxy,
    tls: options.tls as TlsOptions | undefined,
    connectTimeoutInMs: t.timeouts?.connectInMs ?? DEFAULT_TIMEOUTS.connectInMs,
  });
  const client = new CatalogClient(options);
  try {
    const status = await checkStatus(r, client);
    await checkToken(r, client, c.apiToken !== undefined);
    await checkSchema(r, client, status, c.schemaVersion);
  } finally {
    await client.close();
  }
}

const platform = 'catalog' as const;

async function checkStatus(r: CheckRunner, client: CatalogClient): Promise<CatalogStatus | undefined> {
  let status: CatalogStatus | undefined;
  await r.run(
    {
      id: 'catalog.status',
      platform,
      title: 'Data catalog: status_show (CKAN and thai_gdc versions)',
      requires: ['catalog.tcp'],
    },
    async (signal) => {
      status = await client.status({ abortSignal: signal });
      const gdc = status.thaiGdcVersion ? `thai_gdc ${status.thaiGdcVersion}` : 'no thai_gdc';
      const data = { ckanVersion: status.ckanVersion, thaiGdcVersion: status.thaiGdcVersion ?? '' };
      if (!status.thaiGdcVersion) {
        return {
          status: 'warn',
          message: `CKAN ${status.ckanVersion}, ${gdc}`,
          cause: 'status_show has no thaigdc_version: a plain CKAN, or thai_gdc switched off.',
          fix: 'Check catalog.baseUrl points at the agency catalog; the GD Catalog harvests thai_gdc catalogs.',
          data,
        };
      }
      return {
        message: `CKAN ${status.ckanVersion}, ${gdc} (${status.catalogType ?? 'agency'} catalog)`,
        data,
      };
    },
  );
  return status;
}

async function checkToken(r: CheckRunner, client: CatalogClient, hasToken: boolean): Promise<void> {
  await r.run(
    {
      id: 'catalog.token',
      platform,
      title: 'Data catalog: token accepted by an authorised read',
      requires: ['catalog.status'],
    },
    async (signal) => {
      if (!hasToken) return { status: 'skip', message: 'no catalog.apiToken: read-only use' };
      const orgs = await client.listMyOrganizations({ abortSignal: signal });
      if (orgs.length === 0) {
        throw new CheckFailure('the catalog treats this token as anonymous (no organization to publish to)', {
          cause: 'An unknown or revoked token, "Bearer " in front of it, or a user without an editor role.',
          fix: 'Create a new API token for an editor of the organization and set catalog.apiToken to the bare token.',
          errorCode: 'ERR_CATALOG_AUTH',
        });
      }
      return {
        message: `may publish to ${orgs.map((o) => o.name).join(', ')}`,
        data: { organizations: orgs.length },
      };
    },
  );
}

async function checkSchema(
  r: CheckRunner,
  client: CatalogClient,
  status: CatalogStatus | undefined,
  configured: string | undefined,
): Promise<void> {
  await r.run(
    {
      id: 'catalog.schema',
      platform,
      title: 'Data catalog: metadata schema version known',
      requires: ['catalog.status'],
    },
    async (signal) => {
      const version = configured && configured !== 'auto' ? configured : status?.schemaVersion;
      const server = specFromScheming(await client.getServerSchema({ abortSignal: signal }));
      const where = server ? `; the catalog's own schema (${server.dataset.length} fields) is used` : '';
      if (status?.thaiGdcVersion && !KNOWN_THAI_GDC.test(status.thaiGdcVersion) && !server) {
        return {
          status: 'warn',
          message: `thai_gdc ${status.thaiGdcVersion} is newer than the schemas this client ships; validating as ${version}`,
          cause:
            'A newer thai_gdc may add fields or choices; the catalog offers no schema of its own to validate against.',
          fix: 'Update @thgov/catalog, or set catalog.schemaVersion explicitly.',
        };
      }
      return {
        message: `thai_gdc metadata ${version}${where}`,
        data: { schemaVersion: version ?? '', serverSchema: Boolean(server) },
      };
    },
  );
}
