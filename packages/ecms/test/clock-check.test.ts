import { type EcmsNetwork, startEcmsNetwork } from '@thgov/sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import { EcmsClient, EcmsInboxWorker, MemoryLetterStore } from '../src/index.js';

let net: EcmsNetwork | undefined;
let client: EcmsClient | undefined;
let worker: EcmsInboxWorker | undefined;

afterEach(async () => {
  await worker?.stop();
  await client?.close();
  await net?.close();
  worker = client = net = undefined;
});

async function until(cond: () => boolean, what: string) {
  // Hang guard only (generous): the condition is what the test asserts.
  for (let i = 0; i < 2000 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
}

function recordingLogger() {
  const lines: { level: string; message: string; context?: Record<string, unknown> }[] = [];
  const at = (level: string) => (message: string, context?: Record<string, unknown>) =>
    void lines.push({ level, message, context });
  return { lines, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

async function open(options: Parameters<typeof startEcmsNetwork>[0]) {
  net = await startEcmsNetwork({ seed: 9, ...options });
  const n = net.nodes[0]!;
  client = new EcmsClient({ nodeUrl: n.url, organizationId: n.organizationId, retry: { maxRetries: 0 } });
  return { net, client, orgId: n.organizationId };
}

describe('periodic clock check of a running inbox worker', () => {
  it('reports a failing time call (onError + log), then the skew once the node answers again', async () => {
    const { net, client, orgId } = await open({ timeCheck: 'fault' });
    const { lines, logger } = recordingLogger();
    const errors: unknown[] = [];
    const skews: number[] = [];
    worker = new EcmsInboxWorker({
      client,
      store: new MemoryLetterStore(),
      logger,
      pollIntervalInMs: 60_000,
      clockCheckIntervalInMs: 20,
      onError: (e) => void errors.push(e),
      onClockSkew: (s) => void skews.push(s),
    });
    // The first check fails: start() still starts the worker, and the failure is reported, not swallowed.
    await worker.start();
    expect(worker.running).toBe(true);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'ERR_ECMS_FAULT' });
    expect(lines.some((l) => l.level === 'warn' && /clock check failed/.test(l.message))).toBe(true);
    expect(skews).toEqual([]);

    // It keeps checking while failing…
    await until(() => errors.length >= 2, 'a second failed check');
    // …and reports the skew once the node's time call works again (node 10 min ahead).
    net.setClock({ timeCheck: 'ok', skewInMs: 10 * 60_000 });
    await until(() => skews.length >= 1, 'a skew report');
    expect(skews[0]).toBeGreaterThan(9 * 60_000);
    expect(lines.some((l) => l.level === 'info' && /works again/.test(l.message))).toBe(true);
    expect(
      lines.some(
        (l) => l.level === 'warn' && /differs/.test(l.message) && Number(l.context?.skewInMs) > 9 * 60_000,
      ),
    ).toBe(true);

    // A correct clock is not reported; stop() ends the checks.
    net.setClock({ skewInMs: 0 });
    const before = net.counters(orgId).timeCheck ?? 0;
    await until(() => (net.counters(orgId).timeCheck ?? 0) >= before + 2, 'two more checks');
    const skewsAfterFix = skews.length;
    await until(() => (net.counters(orgId).timeCheck ?? 0) >= before + 4, 'two more checks');
    expect(skews.length).toBe(skewsAfterFix);
    await worker.stop();
    const afterStop = (net.counters(orgId).timeCheck ?? 0) + (net.counters(orgId).fault ?? 0);
    await new Promise((r) => setTimeout(r, 100));
    expect((net.counters(orgId).timeCheck ?? 0) + (net.counters(orgId).fault ?? 0)).toBe(afterStop);
  });

  it('with clockCheckIntervalInMs 0 checks only at start', async () => {
    const { client, orgId, net } = await open({ clockSkewInMs: -5 * 60_000 });
    const skews: number[] = [];
    worker = new EcmsInboxWorker({
      client,
      store: new MemoryLetterStore(),
      pollIntervalInMs: 60_000,
      clockCheckIntervalInMs: 0,
      onClockSkew: (s) => void skews.push(s),
    });
    await worker.start();
    expect(skews).toHaveLength(1);
    expect(skews[0]).toBeLessThan(-4 * 60_000);
    await new Promise((r) => setTimeout(r, 100));
    expect(net.counters(orgId).timeCheck).toBe(1);
  });

  it('a throwing hook does not stop the checks', async () => {
    const { client } = await open({ clockSkewInMs: 10 * 60_000 });
    let calls = 0;
    worker = new EcmsInboxWorker({
      client,
      store: new MemoryLetterStore(),
      pollIntervalInMs: 60_000,
      clockCheckIntervalInMs: 10,
      onClockSkew: () => {
        calls++;
        throw new Error('hook broke');
      },
    });
    await worker.start();
    await until(() => calls >= 3, 'three skew reports');
    expect(worker.running).toBe(true);
  });

  it('refuses a bad interval', async () => {
    const { client } = await open({});
    for (const bad of [-1, 1.5, Number.NaN]) {
      expect(
        () => new EcmsInboxWorker({ client, store: new MemoryLetterStore(), clockCheckIntervalInMs: bad }),
      ).toThrow(expect.objectContaining({ code: expect.stringMatching(/^ERR_/) }));
    }
  });
});
