/**
 * Redaction cost per error message with 10,000 live JWT-sized tokens registered (a busy server after a day:
 * logins, GDX validates), against the naive redactor it replaced (one regex alternation of every secret,
 * then a loop over every secret for its encoded spellings), in the same run. Then the attacker's case:
 * 1,000 caller-supplied 16 KiB "tokens" on top. Prints JSON lines: p50/p99 per message and CPU per
 * message (process.cpuUsage). Target: p99 ≤ 0.05 ms.
 * Then a memory line: heap bytes per registered secret (week-long refresh tokens, counted with their own characters)
 * against a plain Map<string, string> of the same values; last, the cost per message with the token pool full.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  completeThaiId,
  isCitizenId,
  redactText,
  registerSecret,
  SECRET_REGISTRY_LIMITS,
  secretRegistryStats,
} from '@thgov/core';
import { isQuickBench, sized } from '@thgov/testkit/bench';

// A quick run (`pnpm bench --quick`) only shows the bench still runs: a tenth of the tokens, few rounds, and few
// messages for the naive baseline, whose one regex of every token took most of a minute to build and run.
const TOKENS = sized(10_000, 1_000);
const MESSAGES = 400;
const ROUNDS = sized(25, 3);
const NAIVE_MESSAGES = sized(40, 8);
const ATTACKER_INPUTS = sized(1_000, 100);
/** Result-line fields: the target in a measuring run, `quick: true` in a smoke run (bench/README.md). */
const judged = () => (isQuickBench() ? { quick: true } : { target: 0.05 });

const jwt = () =>
  `eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.${randomBytes(450).toString('base64url')}.${randomBytes(256).toString('base64url')}`;
const tokens = Array.from({ length: TOKENS }, jwt);
const secret = `consumer-secret-${randomUUID()}`;
const person = completeThaiId('310050012345');

/** Error messages as the SDK builds them: short lines, some with a truncated JSON or HTML body preview. */
function messages(): string[] {
  const out: string[] = [];
  for (let i = 0; i < MESSAGES; i++) {
    const kind = i % 4;
    if (kind === 0)
      out.push(`GET /ws/dopa/linkage/v1/link failed with HTTP ${400 + (i % 100)} (request ${randomUUID()})`);
    else if (kind === 1)
      out.push(
        `dopa.linkage.001 failed with Linkage code 90001: the officer (AgentID) has no DOPA session; body {"Code":90001,"Message":"AgentNotAvailable","ref":"${randomUUID()}"}`,
      );
    else if (kind === 2)
      out.push(
        `X-Road error Server.ServerProxy.ServiceFailed: upstream said ${'lorem ipsum dolor sit amet '.repeat(20)} for ${person} token ${tokens[i * 7] ?? ''}`,
      );
    else
      out.push(
        `<html><body><h1>401</h1><p>${'Unauthorized request. '.repeat(60)}</p><p>${secret}</p></body></html>`,
      );
  }
  return out;
}

/** The redactor before this change, for the same-run baseline. */
function naiveRedactor(secrets: readonly string[]): (text: string) => string {
  const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(
    [...secrets]
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp)
      .join('|'),
    'g',
  );
  const idRun = /(?<![\d])(\d)[- ]?(\d{4})[- ]?(\d{5})[- ]?(\d{2})[- ]?(\d)(?![\d])/g;
  return (text) => {
    let out = text.replace(pattern, '[REDACTED]');
    for (const s of secrets) {
      const enc = encodeURIComponent(s);
      if (enc !== s && out.includes(enc)) out = out.split(enc).join('[REDACTED]');
      const form = new URLSearchParams([['', s]]).toString().slice(1);
      if (form !== s && form !== enc && out.includes(form)) out = out.split(form).join('[REDACTED]');
    }
    return out.replace(idRun, (m, a: string, b: string, c: string, d: string, e: string) =>
      isCitizenId(a + b + c + d + e) ? '[CITIZEN-ID]' : m,
    );
  };
}

interface Measured {
  p50: number;
  p99: number;
  cpuPerOpInUs: number;
}

function measure(redact: (t: string) => string, texts: string[], rounds: number): Measured {
  for (const t of texts.slice(0, 50)) redact(t); // warm-up (JIT)
  const samples: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let r = 0; r < rounds; r++) {
    for (const t of texts) {
      const t0 = performance.now();
      redact(t);
      samples.push(performance.now() - t0);
    }
  }
  const cpu = process.cpuUsage(cpu0);
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] as number;
  return { p50: at(0.5), p99: at(0.99), cpuPerOpInUs: (cpu.user + cpu.system) / samples.length };
}

const round = (n: number) => Number(n.toFixed(4));
const texts = messages();

registerSecret(secret);
for (const t of tokens) registerSecret(t, { kind: 'token', ttlInMs: 3_600_000 });
const ours = measure(redactText, texts, ROUNDS);
process.stderr.write(`  thgov: p50 ${ours.p50.toFixed(4)} ms, p99 ${ours.p99.toFixed(4)} ms\n`);
// The naive redactor is three orders of magnitude slower: a few messages are enough for its percentiles.
const naive = measure(naiveRedactor([secret, ...tokens]), texts.slice(0, NAIVE_MESSAGES), 1);
process.stderr.write(`  naive: p50 ${naive.p50.toFixed(4)} ms, p99 ${naive.p99.toFixed(4)} ms\n`);
console.log(
  JSON.stringify({
    bench: 'core.redact.error-message.10k-tokens',
    unit: 'ms (p99 per message)',
    value: round(ours.p99),
    p50: round(ours.p50),
    cpuPerOpInUs: round(ours.cpuPerOpInUs),
    ...judged(),
    baseline: 'naive alternation + per-secret loop (previous redactText)',
    baselineValue: round(naive.p99),
    baselineCpuPerOpInUs: round(naive.cpuPerOpInUs),
    ratio: round(ours.p99 / naive.p99),
  }),
);

// The attacker's case: caller-supplied 16 KiB values (revoke/introspect inputs) on top of the tokens.
for (let i = 0; i < ATTACKER_INPUTS; i++)
  registerSecret(randomBytes(12 * 1024).toString('base64url'), { kind: 'input' });
const attacked = measure(redactText, texts, ROUNDS);
process.stderr.write(`  thgov + ${ATTACKER_INPUTS} 16 KiB inputs: p99 ${attacked.p99.toFixed(4)} ms\n`);
console.log(
  JSON.stringify({
    bench: 'core.redact.error-message.10k-tokens+1k-16KiB-inputs',
    unit: 'ms (p99 per message)',
    value: round(attacked.p99),
    p50: round(attacked.p50),
    cpuPerOpInUs: round(attacked.cpuPerOpInUs),
    ...judged(),
    baseline: 'same redactor without the 16 KiB inputs (this run)',
    baselineValue: round(ours.p99),
    ratio: round(attacked.p99 / ours.p99),
  }),
);

// Heap bytes per secret: garbage collected before and after (the flag set at run time, so `node --import tsx` will do).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const WEEK = 7 * 24 * 3_600_000;
const MEMORY_SECRETS = sized(20_000, 2_000);
const refreshToken = () => `rt-${randomBytes(32).toString('base64url')}`;

/** Heap growth per value while `hold` keeps `count` fresh values (only `hold` may keep them). */
function bytesPerValue(count: number, hold: (value: string) => void): number {
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < count; i++) hold(refreshToken());
  gc();
  gc();
  return (process.memoryUsage().heapUsed - before) / count;
}

const plain = new Map<string, string>();
const mapBytes = bytesPerValue(MEMORY_SECRETS, (v) => plain.set(v, v));
plain.clear();
const registryBytes = bytesPerValue(MEMORY_SECRETS, (v) =>
  registerSecret(v, { kind: 'token', ttlInMs: WEEK }),
);
process.stderr.write(`  memory: ${registryBytes.toFixed(0)} B per secret (Map: ${mapBytes.toFixed(0)} B)\n`);
console.log(
  JSON.stringify({
    bench: 'core.redact.registry-memory.refresh-tokens',
    unit: 'heap bytes per registered secret (its characters included)',
    value: Math.round(registryBytes),
    ...(isQuickBench() ? { quick: true } : { target: 1024 }),
    secrets: MEMORY_SECRETS,
    maxTokens: SECRET_REGISTRY_LIMITS.maxTokens,
    baseline: 'Map<string, string> holding the same values (no spellings, no index)',
    baselineValue: Math.round(mapBytes),
    ratio: round(registryBytes / mapBytes),
  }),
);

// The token pool full (week-long refresh tokens up to its bound): the cost per message must not grow with it.
const FULL = sized(SECRET_REGISTRY_LIMITS.maxTokens, 20_000);
for (let i = secretRegistryStats().tokens; i < FULL; i++)
  registerSecret(refreshToken(), { kind: 'token', ttlInMs: WEEK });
const full = measure(redactText, texts, ROUNDS);
const pooled = secretRegistryStats();
process.stderr.write(`  thgov, ${pooled.tokens} tokens (full pool): p99 ${full.p99.toFixed(4)} ms\n`);
console.log(
  JSON.stringify({
    bench: 'core.redact.error-message.full-pool',
    unit: 'ms (p99 per message)',
    value: round(full.p99),
    p50: round(full.p50),
    cpuPerOpInUs: round(full.cpuPerOpInUs),
    ...judged(),
    tokens: pooled.tokens,
    evictedLive: pooled.evictedLive,
    baseline: 'same redactor with 10,000 tokens (this run)',
    baselineValue: round(ours.p99),
    baselineCpuPerOpInUs: round(ours.cpuPerOpInUs),
    ratio: round(full.p99 / ours.p99),
  }),
);
