import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness } from '../helpers.js';

/**
 * DGA kb: `agent/permission` writes thirteen zeros where there is no one (no officer logged in; an officer
 * session, so no citizen). `getAgentPermission` must not hand "0000000000000" out as a citizen ID (code that
 * compares it with a card, or looks it up, would use a fake ID): a missing party is `undefined`.
 */

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

describe('getAgentPermission: a missing party is undefined, never "0000000000000"', () => {
  it('AgentNotAvailable, AgentAvailable and CitizenAvailable', async () => {
    const card = h.sandbox.population.people[41]!.citizenId;
    const ask = () => h.client.getAgentPermission({ citizenId: card }, { agentId: h.officer });
    h.sandbox.gdx.setOfficerSession(card, 'AgentNotAvailable');
    expect(await ask()).toEqual({
      agentId: undefined,
      citizenId: undefined,
      sessionState: 'AgentNotAvailable',
    });
    h.sandbox.gdx.setOfficerSession(card, 'AgentAvailable');
    expect(await ask()).toEqual({ agentId: card, citizenId: undefined, sessionState: 'AgentAvailable' });
    h.sandbox.gdx.setOfficerSession(card, 'CitizenAvailable');
    expect(await ask()).toEqual({ agentId: card, citizenId: card, sessionState: 'CitizenAvailable' });
  });
});
