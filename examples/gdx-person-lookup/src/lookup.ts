import { FileAuditSink } from '@thgov/core';
import { ExchangeClient, isGdxError } from '@thgov/exchange';
import type { LookupConfig } from './config.js';

export interface LookupRequest {
  citizenId: string;
  /** Why the officer needs the record (PDPA purpose). Required: every lookup must have one. */
  purpose: string;
  /** The agency's case or file number. */
  caseRef?: string;
  /** The officer's citizen ID; defaults to GDX_AGENT_ID. */
  officerId?: string;
}

export interface PersonSummary {
  fullNameTh: string;
  fullNameEn: string | undefined;
  birthDate: string | undefined;
  address: string;
}

export interface PersonLookup {
  lookup(request: LookupRequest): Promise<PersonSummary>;
  close(): Promise<void>;
}

/** A lookup service an agency can copy: one ExchangeClient, one audit log, purpose required on every call. */
export async function createPersonLookup(config: LookupConfig): Promise<PersonLookup> {
  const audit = new FileAuditSink({
    path: config.auditLogPath, // its anchor: <path>.anchor; a cut log is refused at start
    hmacSecret: config.auditHmacSecret,
    chainKey: config.auditChainKey,
  });
  // Open now: a log that was cut or has a broken chain should stop the service at start, not at the first lookup.
  await audit.open();
  const client = new ExchangeClient({
    baseUrl: config.baseUrl,
    consumerKey: config.consumerKey,
    consumerSecret: config.consumerSecret,
    agentId: config.agentId,
    appName: 'gdx-person-lookup/0.0.0',
    proxy: config.useProxy ? 'env' : undefined,
    audit: { sink: audit, clientLabel: 'gdx-person-lookup' },
  });

  return {
    async lookup(request) {
      if (!request.purpose?.trim()) throw new TypeError('A purpose is required for every lookup (PDPA)');
      const options = { agentId: request.officerId, purpose: request.purpose, caseRef: request.caseRef };
      try {
        const [person, address] = await Promise.all([
          client.getPerson({ citizenId: request.citizenId }, options),
          client.getAddress({ citizenId: request.citizenId }, options),
        ]);
        const th = [person.title.th, person.firstName.th].filter(Boolean).join('');
        const en = person.firstName.en
          ? [person.title.en, person.firstName.en, person.lastName.en].filter(Boolean).join(' ')
          : undefined;
        return {
          fullNameTh: `${th} ${person.lastName.th}`,
          fullNameEn: en,
          birthDate: person.birthDate,
          address: [
            address.houseNo,
            address.villageNo ? `หมู่ ${address.villageNo}` : undefined,
            address.alley,
            address.road,
            address.subdistrict,
            address.district,
            address.province,
            address.postalCode,
          ]
            .filter(Boolean)
            .join(' '),
        };
      } catch (err) {
        if (isGdxError(err, 'ERR_GDX_BUSINESS') && err.providerCode === '90001') {
          throw new Error(
            "The officer has no DOPA session: log in to DOPA's GovAMI program with your smart card, then retry.",
            { cause: err },
          );
        }
        throw err;
      }
    },
    async close() {
      await client.close();
      await audit.close();
    },
  };
}
