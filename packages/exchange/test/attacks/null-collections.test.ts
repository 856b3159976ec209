import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { completeThaiId } from '@thgov/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isGdxError, isGdxNotFound } from '../../src/index.js';
import { rejection, withRawClient } from '../helpers.js';

/**
 * Empty collections as `null`: the Java and .NET services behind GDX often serialise an empty list as
 * `null` rather than `[]`. DBD answering a juristic ID it has no record of with `{"ResultList": null}` is
 * "no such data" (as `[]` already is), not a malformed answer; a company without address rows, or a house
 * registration without members, is a record with an empty list, not a schema error that loses the record.
 */

const CID = '1101700230708';
const JURISTIC = completeThaiId('010553600031');
const TOKEN = 'c0ffee00-1234-4abc-8def-0123456789ab';

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

const company = {
  JuristicID: JURISTIC,
  JuristicName_TH: 'บริษัท ทดสอบ จำกัด',
  RegisterDate: '25360101',
  JuristicStatus: 'ยังดำเนินกิจการอยู่',
};

describe('null where a list is empty', () => {
  it('DBD {"ResultList": null} is ERR_GDX_NOT_FOUND, like []', async () => {
    for (const list of [null, []]) {
      body = JSON.stringify({ ResultList: list, RawData: null });
      const err = await withRawClient(url, (c) => rejection(c.getJuristicProfile({ juristicId: JURISTIC })), {
        agentId: CID,
      });
      expect(isGdxError(err, 'ERR_GDX_NOT_FOUND'), JSON.stringify(list)).toBe(true);
      expect(isGdxNotFound(err)).toBe(true);
    }
  });

  it('a company whose AddressInformations is null has no addresses', async () => {
    body = JSON.stringify({ ResultList: [{ ...company, AddressInformations: null }], RawData: null });
    const profile = await withRawClient(url, (c) => c.getJuristicProfile({ juristicId: JURISTIC }), {
      agentId: CID,
    });
    expect(profile.juristicId).toBe(JURISTIC);
    expect(profile.addresses).toEqual([]);
  });

  it('a house registration whose members is null has no members', async () => {
    body = JSON.stringify({ houseID: 10010123456, totalOfMember: 0, members: null });
    const house = await withRawClient(url, (c) => c.getHouseholdMembers({ citizenId: CID }), {
      agentId: CID,
    });
    expect(house).toMatchObject({ houseId: '10010123456', members: [], total: 0 });
  });

  it('a list that is neither a list nor null is still a schema error', async () => {
    body = JSON.stringify({ ResultList: { 0: company }, RawData: null });
    const err = await withRawClient(url, (c) => rejection(c.getJuristicProfile({ juristicId: JURISTIC })), {
      agentId: CID,
    });
    expect(err).toMatchObject({ code: 'ERR_RESPONSE_SCHEMA' });
  });
});
