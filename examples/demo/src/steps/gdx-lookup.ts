import { ExchangeClient } from '@thgov/exchange';
import { CLIENT_TIMEOUTS, type DemoContext } from '../context.js';
import { maskCitizenId, maskName } from '../mask.js';
import type { Officer } from './login.js';

export const LOOKUP_PURPOSE = 'verify applicant identity for a welfare application';
export const LOOKUP_CASE_REF = 'DEMO-2569-0001';

/**
 * b. The agency looks a citizen up through GDX as the officer who just logged in (AgentID = the officer's
 * citizen ID), with the purpose and case reference recorded in the audit log.
 */
export async function gdxLookup(ctx: DemoContext, officer: Officer): Promise<void> {
  const { sandbox, report } = ctx;
  const consumer = sandbox.gdx.consumers[0];
  if (!consumer) throw new Error('the sandbox has no GDX consumer');
  const gdx = new ExchangeClient({
    baseUrl: sandbox.gdx.url,
    consumerKey: consumer.consumerKey,
    consumerSecret: ctx.breakAt === 'gdx' ? 'not-the-consumer-secret' : consumer.consumerSecret,
    appName: 'thgov-demo/0.0.0',
    timeouts: CLIENT_TIMEOUTS,
    audit: { sink: ctx.audit, clientLabel: 'thgov-demo' },
  });
  try {
    const citizen = sandbox.population.people[7];
    if (!citizen) throw new Error('the sandbox population is too small');
    const options = {
      agentId: officer.citizenId,
      purpose: LOOKUP_PURPOSE,
      caseRef: LOOKUP_CASE_REF,
      timeoutInMs: ctx.stepTimeoutInMs,
    };
    const [person, address] = await Promise.all([
      gdx.getPerson({ citizenId: citizen.citizenId }, options),
      gdx.getAddress({ citizenId: citizen.citizenId }, options),
    ]);
    report.detail(
      `AgentID ${maskCitizenId(officer.citizenId)} (${officer.displayName}), purpose "${LOOKUP_PURPOSE}", case ${LOOKUP_CASE_REF}`,
    );
    report.detail(
      `DOPA Linkage 001 + 027 for ${maskCitizenId(citizen.citizenId)}: ${maskName(person.title.th, person.firstName.th, person.lastName.th)}, born BE ${person.birthDateBe?.slice(0, 4) ?? '?'}, lives in ${address.province ?? '?'}`,
    );
    const stats = gdx.stats();
    report.detail(
      `token obtained once for the officer (${stats.validations} validate call), reused for both calls; 2 audit records`,
    );
  } finally {
    await gdx.close();
  }
}
