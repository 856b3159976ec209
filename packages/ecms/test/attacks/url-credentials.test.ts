// Credentials in an endpoint URL (`https://user:password@node/…`). The transport never sends them (no basic
// auth is built from a URL), so they protect nothing, but the URL itself travels on: as `wsa:To` in the body of
// every request, in the request XML handed to `onExchange` and journalled by the outbox as evidence, and as
// `client.nodeUrl`. They are refused up front, as the CLI's configuration and digital-id refuse them.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { type EcmsNetwork, startEcmsNetwork } from '@thgov/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EcmsClient, EcmsOutbox, MemoryLetterStore } from '../../src/index.js';
import { DGA, DOPA, sampleLetter } from '../helpers/letters.js';

const SECRET = 's3cret-Pa55';

let net: EcmsNetwork;
beforeAll(async () => {
  net = await startEcmsNetwork({ seed: 31 });
});
afterAll(async () => {
  await net.close();
});

function withCredentials(url: string, user = 'svc', password = SECRET): string {
  const u = new URL(url);
  u.username = user;
  u.password = password;
  return u.toString();
}

function expectRefusal(err: unknown): void {
  expect(err).toMatchObject({ code: 'ERR_INVALID_ARG' });
  expect(String((err as Error).message)).toMatch(/credentials/);
  expect(inspect(err)).not.toContain(SECRET);
  expect(JSON.stringify(err)).not.toContain(SECRET);
}

describe('credentials in an e-CMS endpoint URL', () => {
  it('a nodeUrl with a user and password is refused, without quoting them', () => {
    const a = net.nodes[0]!;
    for (const nodeUrl of [
      withCredentials(a.url),
      withCredentials(a.url, 'svc', ''),
      withCredentials(a.url, '', SECRET),
    ]) {
      let err: unknown;
      try {
        new EcmsClient({ nodeUrl, organizationId: a.organizationId });
      } catch (e) {
        err = e;
      }
      expectRefusal(err);
    }
  });

  it('a destination (`to`) with credentials is refused before anything is sent or journalled', async () => {
    const [a, b] = net.nodes;
    const xml: string[] = [];
    const client = new EcmsClient({
      nodeUrl: a!.url,
      organizationId: a!.organizationId,
      onExchange: (e) => {
        xml.push(Buffer.from(e.requestXml).toString('utf8'));
      },
    });
    const letter = sampleLetter({
      id: 'สพร 0105/77',
      sender: { ...sampleLetter().sender, departmentId: a!.organizationId },
      receiver: { departmentId: b!.organizationId },
    });
    const to = withCredentials(b!.url);
    const before = net.queue(b!.organizationId).all.length;
    try {
      expectRefusal(await client.sendLetter(letter, { to }).catch((e: unknown) => e));
      expectRefusal(
        await client
          .acknowledgeReceipt(
            { letterId: 'สพร 0105/77', correspondenceDate: '2026-11-27', subject: 'x' },
            { to },
          )
          .catch((e: unknown) => e),
      );
      expect(net.queue(b!.organizationId).all.length).toBe(before);
      expect(xml.join('\n')).not.toContain(SECRET);
      // Control: the same calls without credentials reach the node.
      await client.sendLetter(letter, { to: b!.url });
      expect(net.queue(b!.organizationId).all.length).toBe(before + 1);
    } finally {
      await client.close();
    }
  });

  it('a destination whose directory entry carries credentials fails the letter before it is sent', async () => {
    const ops: string[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const op = /<soap:Body><(\w+)/.exec(body)?.[1] ?? '';
        ops.push(op);
        const entry = `<OrganizationList><OrganizationID>${DOPA}</OrganizationID><ECMS-URL>https://svc:${SECRET}@ecms.dopa.example/ecms-ws01/service2</ECMS-URL></OrganizationList>`;
        res.writeHead(op === 'GetOrganizationList' ? 200 : 500, {
          'content-type': 'text/xml; charset=utf-8',
        });
        res.end(
          `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${
            op === 'GetOrganizationList'
              ? `<GetOrganizationListResponse>${entry}</GetOrganizationListResponse>`
              : ''
          }</soap:Body></soap:Envelope>`,
        );
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    const client = new EcmsClient({
      nodeUrl: `http://127.0.0.1:${port}/ecms-ws01/service2`,
      organizationId: DGA,
      retry: { maxRetries: 0 },
    });
    const store = new MemoryLetterStore();
    try {
      const letter = sampleLetter({ id: 'สพร 0105/79' });
      const err = await client.sendLetter(letter).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'ERR_ECMS_MESSAGE' });
      expect(inspect(err)).not.toContain(SECRET);
      // Through the outbox: a definitive failure (not an ambiguous send resolved and resent).
      const outbox = new EcmsOutbox({ client, store });
      const failed = await outbox.submit(letter).catch((e: unknown) => e);
      expect(failed).toMatchObject({ code: 'ERR_ECMS_MESSAGE' });
      const [record] = await store.list({ direction: 'outbound' });
      expect(record).toMatchObject({ state: 'failed', lastError: 'ERR_ECMS_MESSAGE' });
      expect(ops.filter((op) => op !== 'GetOrganizationList')).toEqual([]);
    } finally {
      await client.close();
      await store.close();
      await new Promise<void>((done) => server.close(() => done()));
    }
  });
});

// A query string in the own node's URL (`…/service2?apikey=…`, as a gateway in front of the node may want): it is
// part of the HTTP request, not of the address the node routes by. It goes on the request line of every call and
// nowhere else — not into `wsa:To`, the journalled request XML or `client.nodeUrl`. A fragment is never sent over
// HTTP, so (like credentials) it protects nothing and is refused.
describe('a query string or fragment in the e-CMS node URL', () => {
  /** A node stand-in that records each request line and body, and fails `fail` operations with HTTP 500. */
  async function recordingNode(fail: string[] = []) {
    const seen: { url: string; body: string }[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        seen.push({ url: req.url ?? '', body });
        const op = /<soap:Body><(\w+)/.exec(body)?.[1] ?? '';
        res.writeHead(fail.includes(op) ? 500 : 200, { 'content-type': 'text/xml; charset=utf-8' });
        res.end(
          `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><TimeCheckResponse><ECMSTime>2026-11-27T10:00:00+07:00</ECMSTime></TimeCheckResponse></soap:Body></soap:Envelope>`,
        );
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    return {
      seen,
      base: `http://127.0.0.1:${port}/ecms-ws01/service2`,
      close: () => new Promise<void>((done) => server.close(() => done())),
    };
  }

  it('a query token goes on the request line only: not in wsa:To, the evidence or client.nodeUrl', async () => {
    const node = await recordingNode();
    const xml: string[] = [];
    const client = new EcmsClient({
      nodeUrl: `${node.base}?apikey=${SECRET}&v=a%20b`,
      organizationId: DGA,
      onExchange: (e) => {
        xml.push(Buffer.from(e.requestXml).toString('utf8'));
      },
    });
    try {
      await client.timeCheck();
      expect(node.seen.map((s) => s.url)).toEqual([`/ecms-ws01/service2?apikey=${SECRET}&v=a%20b`]);
      expect(node.seen[0]!.body).toContain(`<wsa:To>${node.base}</wsa:To>`);
      expect(xml.join('\n')).not.toContain(SECRET);
      expect(client.nodeUrl).toBe(node.base);
      expect(inspect(client)).not.toContain(SECRET);
    } finally {
      await client.close();
      await node.close();
    }
  });

  it('the token stays out of the error of a failed call', async () => {
    const node = await recordingNode(['TimeCheckRequest']);
    const client = new EcmsClient({
      nodeUrl: `${node.base}?apikey=${SECRET}`,
      organizationId: DGA,
      retry: { maxRetries: 0 },
    });
    try {
      const err = await client.timeCheck().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect(node.seen).toHaveLength(1);
      expect(inspect(err, { depth: 8 })).not.toContain(SECRET);
      expect(JSON.stringify(err)).not.toContain(SECRET);
    } finally {
      await client.close();
      await node.close();
    }
  });

  it('works against the sandbox node with a query string', async () => {
    const a = net.nodes[0]!;
    const client = new EcmsClient({ nodeUrl: `${a.url}?apikey=${SECRET}`, organizationId: a.organizationId });
    try {
      expect((await client.getOrganizations()).map((o) => o.organizationId)).toContain(a.organizationId);
    } finally {
      await client.close();
    }
  });

  it('a fragment in nodeUrl or in a destination is refused, without quoting it', async () => {
    const a = net.nodes[0]!;
    let err: unknown;
    try {
      new EcmsClient({ nodeUrl: `${a.url}#${SECRET}`, organizationId: a.organizationId });
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'ERR_INVALID_ARG' });
    expect(String((err as Error).message)).toMatch(/fragment/);
    expect(inspect(err)).not.toContain(SECRET);
    const client = new EcmsClient({ nodeUrl: a.url, organizationId: a.organizationId });
    const before = net.counters(a.organizationId).sendLetter ?? 0;
    try {
      const refused = await client
        .sendLetter(sampleLetter({ receiver: { departmentId: net.nodes[1]!.organizationId } }), {
          to: `${net.nodes[1]!.url}#${SECRET}`,
        })
        .catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: 'ERR_INVALID_ARG' });
      expect(inspect(refused)).not.toContain(SECRET);
      expect(net.counters(a.organizationId).sendLetter ?? 0).toBe(before);
    } finally {
      await client.close();
    }
  });
});
