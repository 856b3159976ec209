import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GdxGateway, generatePopulation, startGdxGateway } from '../src/index.js';

/**
 * shared/reference/gdx.md documents each GDX resource with its HTTP method: `GET /ws/auth/validate`, Linkage
 * `GET` (and a `POST` variant), `GET` agent/permission, laser check and DBD. An API gateway routes on the method
 * too: a client that sends the wrong verb must not get data (or a token) from the sandbox when the real gateway
 * would refuse it. The sandbox's e-Payment routes already answer 405; the other resources answered any verb.
 */
const population = generatePopulation({ seed: 5, people: 4, companies: 1 });
let gdx: GdxGateway;
let token: string;

const consumer = () => gdx.consumers[0]!;
const validatePath = () =>
  `/ws/auth/validate?ConsumerSecret=${encodeURIComponent(consumer().consumerSecret)}&AgentID=${gdx.officers[0]}`;
const person = () => population.people[2]!;
const company = () => population.companies[0]!;

async function send(method: string, path: string, headers: Record<string, string> = {}, body?: string) {
  const res = await fetch(`${gdx.url}${path}`, { method, headers, body });
  return { status: res.status, text: await res.text() };
}
const auth = () => ({ 'Consumer-Key': consumer().consumerKey, Token: token });

beforeAll(async () => {
  gdx = await startGdxGateway({ population, seed: 5 });
  const r = await send('GET', validatePath(), { 'Consumer-Key': consumer().consumerKey });
  token = (JSON.parse(r.text) as { Result: string }).Result;
});
afterAll(() => gdx.close());

describe('GDX gateway: each resource answers only its documented methods', () => {
  it('validate is GET: a POST, PUT or DELETE gets 405 and no token is issued', async () => {
    const issued = gdx.tokens.issued;
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const r = await send(method, validatePath(), { 'Consumer-Key': consumer().consumerKey });
      expect(r.status, method).toBe(405);
      expect(r.text).not.toMatch(/"[Rr]esult"/);
    }
    expect(gdx.tokens.issued).toBe(issued);
  });

  it('laser check, agent permission and DBD are GET-only: other verbs get 405 without the data', async () => {
    const p = person();
    const paths = [
      `/ws/dopa/verification/personal?CitizenID=${p.citizenId}&FirstName=${encodeURIComponent(p.firstName.th)}&LastName=${encodeURIComponent(p.lastName.th)}&BEBirthDate=${p.birthDateBe}&LaserCode=${p.laserCode}`,
      `/ws/dopa/linkage/v1/agent/permission?Consumer=${consumer().consumerKey}&CitizenID=${gdx.officers[0]}`,
      `/ws/dbd/juristic/v4/profile/information?JuristicID=${company().juristicId}`,
    ];
    for (const path of paths) {
      expect((await send('GET', path, auth())).status, path).toBe(200);
      for (const method of ['POST', 'DELETE', 'PATCH']) {
        const r = await send(method, path, auth(), method === 'DELETE' ? undefined : '{}');
        expect(r.status, `${method} ${path}`).toBe(405);
        expect(r.text, `${method} ${path}`).not.toMatch(/"[Rr]esult"|ResultList|SessionState/);
      }
    }
  });

  it('Linkage answers GET and POST (guard) but not PUT or DELETE', async () => {
    const link = `/ws/dopa/linkage/v1/link?OfficeID=00023&ServiceID=001&Version=01&CitizenID=${person().citizenId}`;
    expect((await send('GET', link, auth())).status).toBe(200);
    expect((await send('POST', link, { ...auth(), 'Content-Type': 'application/json' }, '{}')).status).toBe(
      200,
    );
    for (const method of ['PUT', 'DELETE']) {
      const r = await send(method, link, auth());
      expect(r.status, method).toBe(405);
      expect(r.text).not.toContain(person().lastName.th);
    }
  });

  it("the X-Road side passes the provider's 405 through for a wrong verb (and still answers GET)", async () => {
    const p = person();
    const path = `/r1/${gdx.xroad.services.dopaVerification}/personal?CitizenID=${p.citizenId}&FirstName=${encodeURIComponent(p.firstName.th)}&LastName=${encodeURIComponent(p.lastName.th)}&BEBirthDate=${p.birthDateBe}&LaserCode=${p.laserCode}`;
    const headers = { 'X-Road-Client': gdx.xroad.clients[0]!, 'X-Road-UserId': `TH${gdx.officers[0]}` };
    expect((await send('GET', path, headers)).status).toBe(200);
    const r = await send('DELETE', path, headers);
    expect(r.status).toBe(405);
    expect(r.text).not.toMatch(/"[Rr]esult"/);
  });
});
