/**
 * OpenTelemetry from the e-CMS client and workers, through the real SDK with in-memory exporters and the
 * global providers (what an agency's Node SDK registers): an operation span per e-CMS call with the
 * transport's HTTP span under it, outbox sends by state, the inbox's queue lag and poison items — and no
 * letter content in any attribute.
 */
import { type EcmsNetwork, startEcmsNetwork } from '@thgov/sandbox';
import { type OtelHarness, startOtel } from '@thgov/testkit/otel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EcmsClient, EcmsInboxWorker, EcmsOutbox, MemoryLetterStore } from '../src/index.js';
import { sampleLetter } from './helpers/letters.js';

describe('e-CMS telemetry (global providers, real SDK)', () => {
  let net: EcmsNetwork;
  let a: EcmsClient;
  let b: EcmsClient;
  let otel: OtelHarness;
  beforeAll(async () => {
    // Registered before any thgov object exists, as the guide says.
    otel = startOtel({ global: true });
    net = await startEcmsNetwork({ seed: 11 });
    const [na, nb] = net.nodes;
    a = new EcmsClient({ nodeUrl: na!.url, organizationId: na!.organizationId, retry: { maxRetries: 0 } });
    b = new EcmsClient({ nodeUrl: nb!.url, organizationId: nb!.organizationId, retry: { maxRetries: 0 } });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await net?.close();
    await otel?.close();
  });

  it('spans per operation, sends by state, queue lag and poison items; no letter text in attributes', async () => {
    const subject = 'เรื่อง ขอความอนุเคราะห์ข้อมูล นายสมชาย ใจดี';
    const outbox = new EcmsOutbox({ client: a, store: new MemoryLetterStore() });
    const worker = new EcmsInboxWorker({ client: b, store: new MemoryLetterStore(), autoRegister: false });
    const sent = await outbox.submit(sampleLetter({ id: 'สพร 0105/990', subject }));
    expect(sent.state).toBe('submitted');
    // A queue item that cannot be decoded: quarantined as poison, not stored.
    net.injectItem(b.organizationId, {
      xml: '<GovernmentDocument><Unknown>no letter here</Unknown></GovernmentDocument>',
      kind: 'letter',
    });
    expect(await worker.runOnce()).toBe(2);

    const finished = otel.finished();
    const send = finished.find((s) => s.name === 'thgov.ecms.sendLetter');
    expect(send, finished.map((s) => s.name).join(', ')).toBeDefined();
    // The transport's HTTP span is a child of the operation span.
    const child = finished.find((s) => s.parentSpanContext?.spanId === send!.spanContext().spanId);
    expect(child?.name).toBe('POST');
    expect(child?.attributes['http.response.status_code']).toBe(200);
    for (const op of ['fetchNext', 'dequeue', 'notifier.receive'])
      expect(finished.some((s) => s.name === `thgov.ecms.${op}`)).toBe(true);

    const sends = await otel.metricPoints('thgov.ecms.outbox.sends');
    expect(sends.find((p) => p.attributes['thgov.state'] === 'submitted')?.value).toBe(1);
    const lag = await otel.metricPoints('thgov.ecms.inbox.queue_lag');
    expect((lag[0]?.value as { count: number } | undefined)?.count).toBeGreaterThanOrEqual(2);
    const poison = await otel.metricPoints('thgov.ecms.inbox.poison_items');
    expect(poison.find((p) => p.attributes['thgov.source'] === 'fetch')?.value).toBe(1);

    const everything = otel.dump();
    expect(everything).not.toContain('สมชาย');
    expect(everything).not.toContain('0105/990');
  });
});
