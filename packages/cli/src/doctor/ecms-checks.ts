import type { TlsOptions } from '@thgov/core';
import { EcmsClient } from '@thgov/ecms';
import { ecmsClientOptions, mergeTransport } from '../config/client-options.js';
import type { ThgovConfig } from '../config/schema.js';
import { checkConfiguredEndpoint, clockOutcome } from './endpoint-checks.js';
import { checkPostgresStore } from './postgres-checks.js';
import { CheckFailure, type CheckRunner, type Outcome } from './runner.js';
import { type DoctorSettings, withinCheck } from './settings.js';

function sameEndpoint(a: string, b: string): boolean {
  const norm = (u: string) => {
    try {
      const x = new URL(u);
      return `${x.protocol}//${x.host.toLowerCase()}${x.pathname.replace(/\/+$/, '')}`;
    } catch {
      return u;
    }
  };
  return norm(a) === norm(b);
}

/** The directory lists the own organisation, at the configured node. */
async function organizations(
  client: EcmsClient,
  organizationId: string,
  signal: AbortSignal,
): Promise<Outcome> {
  const orgs = await client.getOrganizations({ abortSignal: signal });
  const own = orgs.find((o) => o.organizationId === organizationId);
  if (!own) {
    throw new CheckFailure(
      `organisation ${organizationId} is not among the ${orgs.length} organisations of the directory`,
      {
        cause: 'The department code is wrong, or the agency is not registered on e-CMS yet.',
        fix: 'Check ecms.organizationId (the 10-digit department code) or ask DGA to register the agency.',
        errorCode: 'ERR_ECMS_FAULT',
        data: { organizations: orgs.length },
      },
    );
  }
  if (!sameEndpoint(own.ecmsUrl, client.nodeUrl)) {
    throw new CheckFailure(
      `the directory lists ${own.ecmsUrl} for ${organizationId}, the configuration ${client.nodeUrl}`,
      {
        cause:
          'Letters to this agency go to the node URL in the directory; the configured node is another one.',
        fix: 'Set ecms.nodeUrl to the registered endpoint, or ask DGA to update the directory entry.',
        data: { organizations: orgs.length },
      },
    );
  }
  return {
    message: `${orgs.length} organisations; ${organizationId} (${own.nameEn || own.nameTh}) registered at the configured node`,
    data: { organizations: orgs.length },
  };
}

/** The e-CMS checks: the node endpoint, its time check, the directory entry and the code lists. */
export async function checkEcms(r: CheckRunner, config: ThgovConfig, s: DoctorSettings): Promise<void> {
  const e = config.ecms;
  if (!e) return;
  const t = mergeTransport(config.transport, e.transport);
  const timeouts = withinCheck(t.timeouts, s.checkTimeoutInMs);
  const options = { ...ecmsClientOptions(config), timeouts };
  const url = new URL(e.nodeUrl);
  const platform = 'ecms' as const;
  await checkConfiguredEndpoint(r, s, {
    platform,
    prefix: 'ecms',
    label: 'e-CMS node',
    tlsKey: e.transport?.tls ? 'ecms.transport.tls' : 'transport.tls',
    url,
    proxy: t.proxy,
    tls: options.tls as TlsOptions | undefined,
    connectTimeoutInMs: timeouts.connectInMs,
  });
  const client = new EcmsClient(options);
  try {
    await r.run(
      { id: 'ecms.timeCheck', platform, title: 'e-CMS: node time check', requires: ['ecms.tcp'] },
      async (signal) => {
        const res = await client.timeCheck({ abortSignal: signal });
        return clockOutcome(res.skewInMs, s.maxClockSkewInMs, 'the node time check');
      },
    );

    await r.run(
      {
        id: 'ecms.organizations',
        platform,
        title: 'e-CMS: organisation list, own organisation and node URL',
        requires: ['ecms.tcp'],
      },
      (signal) => organizations(client, e.organizationId, signal),
    );

    await r.run(
      {
        id: 'ecms.codeLists',
        platform,
        title: 'e-CMS: code lists (secrecy, speed, MIME)',
        requires: ['ecms.tcp'],
      },
      async (signal) => {
        const [secret, speed, mime] = await Promise.all([
          client.getSecretCodes({ abortSignal: signal }),
          client.getSpeedCodes({ abortSignal: signal }),
          client.getMimeCodes({ abortSignal: signal }),
        ]);
        const empty = [
          ['secrecy', secret.length],
          ['speed', speed.length],
          ['MIME', mime.length],
        ].filter(([, n]) => n === 0);
        if (empty.length) {
          throw new CheckFailure(`empty code list: ${empty.map(([n]) => n).join(', ')}`, {
            cause: 'The node serves no codes: letters cannot be classified.',
            fix: 'Report it to the node operator.',
          });
        }
        return {
          message: `${secret.length} secrecy, ${speed.length} speed, ${mime.length} MIME codes`,
          data: { secrecy: secret.length, speed: speed.length, mime: mime.length },
        };
      },
    );
  } finally {
    await client.close();
  }
  await checkEcmsStore(r, config);
}

/** The journal's PostgreSQL database, when `ecms.store` names one: reachable, migrated, writable. */
async function checkEcmsStore(r: CheckRunner, config: ThgovConfig): Promise<void> {
  const store = config.ecms?.store;
  if (!store || !('postgres' in store)) return;
  await checkPostgresStore(r, {
    platform: 'ecms',
    prefix: 'ecms.store',
    label: 'e-CMS journal',
    key: 'ecms.store.postgres',
    db: store.postgres,
    component: 'ecms',
    migrations: async () => (await import('@thgov/ecms/postgres')).ECMS_MIGRATIONS,
    table: 'ecms_letters',
  });
}
