import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../src/index.js';

/**
 * DGA kb ("ข้อมูลบุคคล Linkage Center", การตรวจสอบสถานะ): `agent/permission?Consumer=&CitizenID=` answers one
 * of three bodies, with thirteen zeros where there is no one:
 *   AgentNotAvailable → {"AgentID": "0000000000000", "CitizenID": "0000000000000"}
 *   AgentAvailable    → {"AgentID": <the card's ID>, "CitizenID": "0000000000000"}
 *   CitizenAvailable  → {"AgentID": <the card's ID>, "CitizenID": <the card's ID>}
 * A client tested against IDs where GDX sends zeros would read a fake citizen ID in production.
 */

const NONE = '0000000000000';
let sb: Sandbox;
let key: string;
let token: string;

beforeAll(async () => {
  sb = await startSandbox();
  const consumer = sb.gdx.consumers[0]!;
  key = consumer.consumerKey;
  const officer = sb.gdx.officers[0]!;
  const r = await fetch(
    `${sb.gdx.url}/ws/auth/validate?ConsumerSecret=${encodeURIComponent(consumer.consumerSecret)}&AgentID=${officer}`,
    { headers: { 'Consumer-Key': key } },
  );
  token = String(((await r.json()) as { Result: string }).Result);
});
afterAll(() => sb.close());

async function permission(citizenId: string): Promise<unknown> {
  const r = await fetch(
    `${sb.gdx.url}/ws/dopa/linkage/v1/agent/permission?Consumer=${key}&CitizenID=${citizenId}`,
    { headers: { 'Consumer-Key': key, Token: token } },
  );
  expect(r.status).toBe(200);
  return r.json();
}

describe('GDX agent/permission answers as the DGA kb shows', () => {
  it('each session state with its AgentID and CitizenID, zeros where there is no one', async () => {
    const card = sb.population.people[40]!.citizenId;
    sb.gdx.setOfficerSession(card, 'AgentNotAvailable');
    expect(await permission(card)).toEqual({
      AgentID: NONE,
      CitizenID: NONE,
      SessionState: 'AgentNotAvailable',
    });
    sb.gdx.setOfficerSession(card, 'AgentAvailable');
    expect(await permission(card)).toEqual({
      AgentID: card,
      CitizenID: NONE,
      SessionState: 'AgentAvailable',
    });
    sb.gdx.setOfficerSession(card, 'CitizenAvailable');
    expect(await permission(card)).toEqual({
      AgentID: card,
      CitizenID: card,
      SessionState: 'CitizenAvailable',
    });
  });
});
