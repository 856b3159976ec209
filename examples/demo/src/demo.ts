import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileAuditSink, registerSecret } from '@thgov/core';
import { type Sandbox, startSandbox } from '@thgov/sandbox';
import type { BreakPoint, DemoContext } from './context.js';
import { Reporter } from './reporter.js';
import { auditVerify } from './steps/audit-verify.js';
import { catalogPublish } from './steps/catalog-publish.js';
import { ecmsLetter } from './steps/ecms-letter.js';
import { gdxLookup } from './steps/gdx-lookup.js';
import { type Officer, officerLogin } from './steps/login.js';
import { remoteSign } from './steps/remote-sign.js';
import { transcriptCheck } from './steps/transcript.js';

export interface DemoOptions {
  /** Where the story is printed (default: stdout). */
  write?: (text: string) => void;
  /** Break one step on purpose to show a failure. */
  breakAt?: BreakPoint;
  stepTimeoutInMs?: number;
}

/** Tells the whole story; resolves true when every step passed. Always stops the sandbox it started. */
export async function runDemo(options: DemoOptions = {}): Promise<boolean> {
  const report = new Reporter(options.write ?? ((t) => void process.stdout.write(t)));
  const started = performance.now();
  report.line('thgov demo: one agency, the central platform on localhost (synthetic data only)');
  report.line();

  let sandbox: Sandbox | undefined;
  const dir = await mkdtemp(join(tmpdir(), 'thgov-demo-'));
  const auditPath = join(dir, 'audit.jsonl');
  // Generated per run: an agency keeps its own in a vault, never next to the log.
  const hmacSecret = `demo-audit-${crypto.randomUUID()}`;
  registerSecret(hmacSecret);
  // A second key for the chain itself: whoever verifies the log gets this one, not hmacSecret.
  const auditChainKey = { id: 'demo', secret: `demo-chain-${crypto.randomUUID()}` };
  const audit = new FileAuditSink({ path: auditPath, hmacSecret, chainKey: auditChainKey });
  try {
    const sb = await report.step(
      'Start the sandbox in-process (GDX, ThaID, DGA, e-CMS, PKI, remote signing)',
      async () => {
        const s = await startSandbox();
        sandbox = s;
        // Sandbox credentials are throwaway, but a demo should show the habit: secrets never printed.
        for (const c of s.gdx.consumers) {
          registerSecret(c.consumerKey);
          registerSecret(c.consumerSecret);
        }
        for (const c of [s.thaid.clients.default, s.thaid.clients.restricted]) registerSecret(c.clientSecret);
        registerSecret(s.thaid.apiKey);
        report.detail(`GDX gateway ${s.gdx.url}`);
        report.detail(`ThaID-like provider ${s.thaid.issuer}`);
        report.detail(
          `e-CMS nodes: ${s.ecms.nodes.map((n) => `${n.organizationId} ${n.nameEn}`).join('; ')}`,
        );
        report.detail(`test PKI and Sandbox University ${s.pki.url}`);
        report.detail(`remote signing service (CSC v2) ${s.csc.url}`);
        report.detail(`agency data catalog ${s.catalog.url}`);
        report.detail(`audit log ${auditPath}`);
        return s;
      },
    );
    if (!sb.ok || !sandbox) return report.summary(performance.now() - started);
    await audit.open();
    const ctx: DemoContext = {
      sandbox,
      report,
      audit,
      auditPath,
      auditChainKey,
      stepTimeoutInMs: options.stepTimeoutInMs ?? 15_000,
      breakAt: options.breakAt,
    };

    const login = await report.step('An officer logs in with ThaID (headless browser)', () =>
      officerLogin(ctx),
    );
    if (!login.ok) return report.summary(performance.now() - started);
    const officer: Officer = login.value;
    let signedLetter: Uint8Array | undefined;
    const story: [string, () => Promise<void>][] = [
      ['The agency looks a citizen up through GDX, as the officer', () => gdxLookup(ctx, officer)],
      [
        'The officer signs the letter PDF remotely, authorised with digital ID (CSC, PAdES B-LT)',
        async () => {
          signedLetter = await remoteSign(ctx);
        },
      ],
      [
        'The signed letter goes over e-CMS: receipt, registration number, signature verified',
        () => ecmsLetter(ctx, officer, signedLetter ?? new Uint8Array()),
      ],
      [
        'A university transcript is verified, and a tampered copy refused',
        () => transcriptCheck(ctx, officer),
      ],
      [
        'The agency publishes open data to its catalog; the GD Catalog harvests it',
        () => catalogPublish(ctx),
      ],
      [
        'The audit log is verified (hash chain, purposes, no citizen ID in clear)',
        () =>
          auditVerify(ctx, [
            officer.citizenId,
            ...ctx.sandbox.population.people.slice(0, 10).map((p) => p.citizenId),
          ]),
      ],
    ];
    for (const [title, run] of story) {
      const r = await report.step(title, run);
      if (!r.ok) break;
    }
    return report.summary(performance.now() - started);
  } finally {
    await audit.close().catch(() => undefined);
    await sandbox?.close();
    await rm(dir, { recursive: true, force: true });
  }
}
