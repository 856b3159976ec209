import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { completeThaiId } from '@thgov/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withRawClient } from '../helpers.js';

/**
 * Buddhist-era dates as the systems behind GDX actually spell them: Thai digits, a .NET DateTime under the
 * th-TH culture (`2530-01-15T00:00:00`), separators, and the Thai day/month/year order. `birthDateBe` and
 * `registerDateBe` are documented as BE `YYYYMMDD` (what `verifyLaserCode` takes back): an odd spelling is
 * brought to it, and `birthDate` / `registerDate` are read from it. What cannot be read for certain (a CE
 * year, a month 13, a word) stays as sent, with no ISO date: never a wrong one.
 */

const CID = '1101700230708';
const JURISTIC = completeThaiId('010553600031');
const TOKEN = 'c0ffee00-1234-4abc-8def-0123456789ab';
const thai = (s: string) => s.replace(/\d/g, (d) => String.fromCharCode(0x0e50 + Number(d)));

let server: Server;
let url = '';
let body = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0];
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(path === '/ws/auth/validate' ? JSON.stringify({ Result: TOKEN }) : body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const READABLE: Record<string, string> = {
  'Thai digits': thai('25300115'),
  'ISO-like with dashes': '2530-01-15',
  'slashes, year first': '2530/1/15',
  'Thai order day/month/year': '15/01/2530',
  'Thai order with Thai digits': thai('15/1/2530'),
  '.NET DateTime under th-TH': '2530-01-15T00:00:00',
  'spaces around': ' 25300115 ',
};

describe('BE dates in odd spellings', () => {
  for (const [name, spelling] of Object.entries(READABLE)) {
    it(`${name}: birthDateBe is YYYYMMDD and birthDate is read`, async () => {
      body = JSON.stringify({ firstName: 'สมชาย', lastName: 'ใจดี', dateOfBirth: spelling });
      const p = await withRawClient(url, (c) => c.getPerson({ citizenId: CID }), { agentId: CID });
      expect(p.birthDateBe).toBe('25300115');
      expect(p.birthDate).toBe('1987-01-15');
      expect(p.raw.dateOfBirth).toBe(spelling);
    });
  }

  it('household members and a DBD register date are read alike', async () => {
    body = JSON.stringify({
      houseID: '10010123456',
      members: [{ personalID: CID, firstName: 'สมชาย', lastName: 'ใจดี', dateOfBirth: thai('2530-01-15') }],
    });
    const h = await withRawClient(url, (c) => c.getHouseholdMembers({ citizenId: CID }), { agentId: CID });
    expect(h.members[0]).toMatchObject({ birthDateBe: '25300115', birthDate: '1987-01-15' });
    body = JSON.stringify({ ResultList: [{ JuristicID: JURISTIC, RegisterDate: '01/04/2536' }] });
    const j = await withRawClient(url, (c) => c.getJuristicProfile({ juristicId: JURISTIC }), {
      agentId: CID,
    });
    expect(j).toMatchObject({ registerDateBe: '25360401', registerDate: '1993-04-01' });
  });

  it('what cannot be read for certain stays as sent, without an ISO date', async () => {
    for (const spelling of ['1987-01-15', '2530-13-01', '31/02/2530', 'ไม่ทราบ', '2530-01-15T09:30:00']) {
      body = JSON.stringify({ firstName: 'สมชาย', lastName: 'ใจดี', dateOfBirth: spelling });
      const p = await withRawClient(url, (c) => c.getPerson({ citizenId: CID }), { agentId: CID });
      expect(p.birthDateBe, spelling).toBe(spelling);
      expect(p.birthDate, spelling).toBeUndefined();
    }
  });
});
