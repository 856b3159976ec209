import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TELEMETRY_NAMES } from '@thgov/core/internal';
import { type OtelHarness, startOtel } from '@thgov/testkit/otel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withRawClient } from './helpers.js';

/**
 * A generic call without a `name` is labelled by its path: the span name, the `thgov.operation` metric
 * attribute and the audit `operation`. Catalog services carry record keys in the path (an invoice, a
 * request UUID, a person): a label per key makes one metric series per call, growing for as long as the
 * process runs (OpenTelemetry's HTTP conventions use the route template for this reason, never the raw path).
 * Identifier segments are labelled `{id}`; the request itself still goes to the exact path.
 */

const CID = '1101700230708';
const TOKEN = 'c0ffee00-1234-4abc-8def-0123456789ab';

let server: Server;
let url = '';
const paths: string[] = [];
let otel: OtelHarness;

beforeAll(async () => {
  otel = startOtel();
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0] as string;
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      if (path === '/ws/auth/validate') return res.end(JSON.stringify({ Result: TOKEN }));
      paths.push(path);
      res.end('{"status":0}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await otel.close();
});

describe('the default label of a generic call', () => {
  it('many record keys in the path: a bounded set of operation labels, exact paths on the wire', async () => {
    const sent: string[] = [];
    await withRawClient(
      url,
      async (c) => {
        for (let i = 0; i < 40; i++) {
          for (const path of [
            `/ws/dga/payment/status/INV-2569-${String(i).padStart(6, '0')}`,
            `/ws/registry/v1/requests/${randomUUID()}`,
            `/ws/registry/v1/persons/${encodeURIComponent(`สมชาย${i}`)}/address`,
            `/ws/dbd/juristic/v4/profile/${String(105536000000 + i)}`,
          ]) {
            sent.push(path);
            await c.call({ path });
          }
        }
      },
      { agentId: CID, meterProvider: otel.meterProvider, tracerProvider: otel.tracerProvider },
    );
    expect(paths).toEqual(sent);
    const points = await otel.metricPoints(TELEMETRY_NAMES.operationDuration);
    const labels = new Set(
      points.map((p) => String(p.attributes['thgov.operation'])).filter((l) => l !== 'thgov.gdx.validate'),
    );
    expect([...labels].sort()).toEqual([
      'thgov.gdx./ws/dbd/juristic/v4/profile/{id}',
      'thgov.gdx./ws/dga/payment/status/{id}',
      'thgov.gdx./ws/registry/v1/persons/{id}/address',
      'thgov.gdx./ws/registry/v1/requests/{id}',
    ]);
    const spanNames = new Set(
      otel
        .finished()
        .map((s) => s.name)
        .filter((n) => n.startsWith('thgov.gdx./')),
    );
    expect(spanNames.size).toBe(4);
    // The encoded name is in no operation label (the HTTP span's url.full is core's: see the report).
    expect([...labels, ...spanNames].join(' ')).not.toContain('%E0%B8');
  });

  it('a path of plain words (v1, v4, 001) keeps its label, and a given name is used as it is', async () => {
    await withRawClient(
      url,
      async (c) => {
        await c.call({ path: '/ws/dopa/linkage/v1/link', query: { ServiceID: '001' } });
        await c.call({ path: `/ws/dga/payment/status/INV-2569-000001`, name: 'payment.status' });
      },
      { agentId: CID, meterProvider: otel.meterProvider, tracerProvider: otel.tracerProvider },
    );
    const names = otel.finished().map((s) => s.name);
    expect(names).toContain('thgov.gdx./ws/dopa/linkage/v1/link');
    expect(names).toContain('thgov.gdx.payment.status');
  });
});
