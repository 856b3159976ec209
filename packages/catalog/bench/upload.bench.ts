/**
 * A 200 MB file uploaded as a resource to the sandbox catalog (its limits raised; it runs in a child process):
 * CatalogClient.uploadResource (streamed multipart, progress, size checks, citizen-ID sample scan) vs a raw
 * `undici.request` streaming a hand-made multipart body of the same file, same run, alternating, best of each.
 * Targets: peak RSS growth of the client < 50 MiB (the file is never held in memory); throughput ratio ≥ 0.8.
 * Run with --expose-gc so the RSS baseline is taken after a collection.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { Agent, request } from 'undici';
import { CatalogClient } from '../src/index.js';
import { cpuMs, peakRssGrowth, startCatalogProcess } from './sandbox-process.js';

const SIZE = 200 * 1024 * 1024;
const ROUNDS = 3;

async function writeFile(path: string): Promise<void> {
  const out = createWriteStream(path);
  const row = Buffer.from(`${'จังหวัด,เดือน,จำนวน,'.repeat(3)}${randomBytes(8).toString('hex')}\n`);
  const block = Buffer.concat(
    Array.from({ length: Math.ceil((1024 * 1024) / row.length) }, () => row),
  ).subarray(0, 1024 * 1024);
  for (let written = 0; written < SIZE; written += block.length) {
    if (!out.write(block)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  out.end();
  await finished(out);
}

const dir = mkdtempSync(join(tmpdir(), 'thgov-upload-bench-'));
const file = join(dir, 'registrations-200mb.csv');
await writeFile(file);
const { info, stop } = await startCatalogProcess({
  uploadLimitBytes: 512 * 1024 * 1024,
  proxyBodyLimitBytes: 600 * 1024 * 1024,
  keepUploadBytes: 0,
});
try {
  const client = new CatalogClient({
    baseUrl: info.url,
    apiToken: info.token,
    maxUploadBytes: 512 * 1024 * 1024,
    schemaVersion: '2.2',
  });
  const viaClient = async () => {
    await client.uploadResource(info.packageId, { file, name: 'การจดทะเบียน 200 MB', format: 'CSV' });
  };
  const agent = new Agent({ connections: 4 });
  const viaUndici = async () => {
    const boundary = `----bench${randomBytes(8).toString('hex')}`;
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="package_id"\r\n\r\n${info.packageId}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nraw\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="format"\r\n\r\nCSV\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="upload"; filename="raw.csv"\r\nContent-Type: text/csv\r\n\r\n`,
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    async function* body() {
      yield head;
      yield* createReadStream(file, { highWaterMark: 256 * 1024 });
      yield tail;
    }
    const res = await request(`${info.url}/api/3/action/resource_create`, {
      method: 'POST',
      dispatcher: agent,
      headers: {
        authorization: info.token,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(head.length + statSync(file).size + tail.length),
      },
      body: Readable.from(body()),
    });
    const json = (await res.body.json()) as { success: boolean };
    if (!json.success) throw new Error(`HTTP ${res.statusCode}`);
  };

  // Warm-up (connections, JIT), then alternate.
  await viaUndici();
  await viaClient();
  const best = {
    client: { mibps: 0, rss: 0, cpu: Number.POSITIVE_INFINITY },
    raw: { mibps: 0, rss: 0, cpu: Number.POSITIVE_INFINITY },
  };
  for (let r = 0; r < ROUNDS; r++) {
    for (const [key, run] of [
      ['raw', viaUndici],
      ['client', viaClient],
    ] as const) {
      const { result, peakGrowthMiB } = await peakRssGrowth(() => cpuMs(run));
      const b = best[key];
      b.mibps = Math.max(b.mibps, SIZE / 1024 / 1024 / (result.wallMs / 1000));
      b.rss = Math.max(b.rss, peakGrowthMiB);
      b.cpu = Math.min(b.cpu, result.cpuMs);
      process.stderr.write(
        `  ${key}: ${(SIZE / 1024 / 1024 / (result.wallMs / 1000)).toFixed(0)} MiB/s, +${peakGrowthMiB} MiB RSS\n`,
      );
    }
  }
  await client.close();
  await agent.close();
  process.stdout.write(
    `${JSON.stringify({
      bench: 'catalog.upload-200mb',
      unit: 'MiB/s',
      value: Math.round(best.client.mibps),
      baseline: 'undici.request (hand-made multipart stream)',
      baselineValue: Math.round(best.raw.mibps),
      ratio: Number((best.client.mibps / best.raw.mibps).toFixed(3)),
      peakRssGrowthMiB: best.client.rss,
      baselinePeakRssGrowthMiB: best.raw.rss,
      cpuMsPerOp: Math.round(best.client.cpu),
      baselineCpuMsPerOp: Math.round(best.raw.cpu),
      target: 'peakRssGrowthMiB < 50',
    })}\n`,
  );
} finally {
  stop();
  rmSync(dir, { recursive: true, force: true });
}
