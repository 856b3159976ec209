import { randomUUID } from 'node:crypto';
import { redactText, secretRegistryStats } from '@thgov/core';
import { describe, expect, it } from 'vitest';
import { CatalogClient } from '../../src/index.js';

/**
 * Secrets pinned for ever: the API token was registered with the redactor for good and never released, so a
 * process that makes a client per tenant or per job (a harvester, a publishing worker) grew the pinned pool,
 * which no bound may evict and every log line scans, by one entry per client. The token is now held for the
 * client's life: masked while any client that uses it is open, released when the last one closes.
 */

const client = (apiToken: string) =>
  new CatalogClient({ baseUrl: 'http://127.0.0.1:1', apiToken, politeness: { requestsPerSecond: false } });

describe('the API token is held for the life of its clients', () => {
  it('a client per job leaves the pinned pool as it was once the clients are closed', async () => {
    const pinned = secretRegistryStats().credentials;
    for (let i = 0; i < 50; i++) {
      const token = `ckan-token-${randomUUID()}`;
      const c = client(token);
      expect(redactText(`Authorization: ${token}`)).not.toContain(token);
      await c.close();
    }
    expect(secretRegistryStats().credentials).toBe(pinned);
  });

  it('two clients with one token: closing one keeps it masked, closing both releases it', async () => {
    const token = `ckan-token-${randomUUID()}`;
    const a = client(token);
    const b = client(token);
    await a.close();
    await a.close();
    expect(redactText(token)).not.toContain(token);
    await b.close();
    expect(redactText(token)).toBe(token);
  });
});
