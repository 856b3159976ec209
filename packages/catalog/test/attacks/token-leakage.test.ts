import { inspect } from 'node:util';
import { completeThaiId } from '@thgov/core';
import type { AgencyCatalog } from '@thgov/sandbox';
import { beforeAll, describe, expect, it } from 'vitest';
import { clientFor, FLAVORS, startCatalog, validDataset } from '../helpers/catalog.js';

/**
 * Attack class: secret and personal-data leakage through errors and logs. The API token rides on every
 * request (in `Authorization`, a custom header or the gateway's `api-key`), and CKAN echoes submitted values in
 * its validation messages; neither may reach an error message, its JSON, util.inspect or a log line in clear.
 */

function captureLogger() {
  const lines: string[] = [];
  const log = (msg: string, meta?: unknown) => lines.push(`${msg} ${JSON.stringify(meta ?? {})}`);
  return { lines, logger: { debug: log, info: log, warn: log, error: log } };
}

describe.each(FLAVORS)('no secrets or citizen IDs in errors and logs (CKAN %s)', (flavor) => {
  let catalog: AgencyCatalog;
  beforeAll(async () => {
    catalog = await startCatalog(flavor);
  });

  it.each([
    ['Authorization', undefined],
    ['X-CKAN-API-Key', 'X-CKAN-API-Key'],
  ])('the token sent in %s stays out of errors and debug logs', async (_label, header) => {
    const token = catalog.accounts.member.token;
    const { lines, logger } = captureLogger();
    const client = clientFor(catalog, 'member', { apiTokenHeader: header, logger, logLevel: 'debug' });
    const err = await client
      .updateDataset('annual-budget-2567', { notes: 'x' }, { skipValidation: true })
      .catch((e) => e);
    expect(err.code).toBe('ERR_CATALOG_AUTH');
    const surfaces = [
      err.message,
      JSON.stringify(err),
      inspect(err, { depth: 10 }),
      String(err.stack),
      ...lines,
    ];
    for (const s of surfaces) expect(s).not.toContain(token);
    expect(lines.length).toBeGreaterThan(0);
    const sentHeaders = JSON.stringify(err.request?.headers ?? {});
    expect(sentHeaders).toContain('[REDACTED]');
  });

  it('the gateway’s api-key stays out of errors', async () => {
    const key = catalog.opendApiKey;
    const client = clientFor(catalog, 'anonymous', { gateway: 'opend', apiToken: key });
    const err = await client.getDataset('no-such-dataset').catch((e) => e);
    expect(err.code).toBe('ERR_CATALOG_NOT_FOUND');
    expect(JSON.stringify(err) + inspect(err, { depth: 10 })).not.toContain(key);
  });

  it('a citizen ID echoed by the catalog’s validation message is masked in the error', async () => {
    const id = completeThaiId('310120045678');
    const err = await clientFor(catalog)
      .createDataset(validDataset({ objective: [id] }), { skipValidation: true })
      .catch((e) => e);
    expect(err.code).toBe('ERR_CATALOG_VALIDATION');
    expect(err.fieldErrors[0]).toMatchObject({ field: 'objective', rule: 'choice' });
    const surfaces = [
      err.message,
      JSON.stringify(err),
      inspect(err, { depth: 10 }),
      JSON.stringify(err.fieldErrors),
    ];
    for (const s of surfaces) expect(s).not.toContain(id);
    expect(JSON.stringify(err.fieldErrors)).toContain('[CITIZEN-ID]');
  });

  it('offline messages mask a citizen ID typed into a choice field', async () => {
    const id = completeThaiId('110170023070');
    const err = await clientFor(catalog)
      .createDataset(validDataset({ geo_coverage: id }))
      .catch((e) => e);
    expect(err.code).toBe('ERR_CATALOG_VALIDATION');
    expect(JSON.stringify(err.fieldErrors)).not.toContain(id);
  });
});
