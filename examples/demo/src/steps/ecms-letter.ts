import { EcmsClient, EcmsInboxWorker, EcmsOutbox, type LetterRecord, MemoryLetterStore } from '@thgov/ecms';
import { type VerificationReport, verifyPdfSignatures } from '@thgov/esign';
import { CLIENT_TIMEOUTS, type DemoContext } from '../context.js';
import { sleep, withTimeout } from '../with-timeout.js';
import type { Officer } from './login.js';

const POLL_EVERY_IN_MS = 50;

/**
 * c. An official letter from one sandbox agency to another over e-CMS. The receiving agency's inbox worker
 * stores it, sends the receipt and registers it (เลขทะเบียนรับ); the sending agency's own worker picks the
 * two notifiers up and moves the outbound letter to `registered` with the receiver's number. The main letter is
 * the PDF the officer signed remotely; the receiver verifies its PDF signature on receipt.
 */
export async function ecmsLetter(ctx: DemoContext, officer: Officer, signedPdf: Uint8Array): Promise<void> {
  const { sandbox, report } = ctx;
  const [from, to] = sandbox.ecms.nodes;
  if (!from || !to) throw new Error('the sandbox needs two e-CMS organisations');
  const senderClient = new EcmsClient({
    nodeUrl: from.url,
    organizationId: from.organizationId,
    appName: 'thgov-demo/0.0.0',
    timeouts: CLIENT_TIMEOUTS,
  });
  const receiverClient = new EcmsClient({
    nodeUrl: to.url,
    organizationId: to.organizationId,
    appName: 'thgov-demo-receiver/0.0.0',
    timeouts: CLIENT_TIMEOUTS,
  });
  const senderStore = new MemoryLetterStore();
  const receiverStore = new MemoryLetterStore();
  const sent: string[] = [];
  const senderWorker = new EcmsInboxWorker({
    client: senderClient,
    store: senderStore,
    onNotifier: ({ notifier, changed }) => {
      if (changed) sent.push(notifier.kind);
    },
  });
  let pdfReport: VerificationReport | undefined;
  const receiverWorker = new EcmsInboxWorker({
    client: receiverClient,
    store: receiverStore,
    // The receiving agency checks the signed letter PDF against the PKI it trusts on receipt: the report is
    // kept with the letter's evidence, and a letter without a valid signature is neither acknowledged nor
    // registered.
    pdfVerifier: {
      policy: 'require',
      verify: async (pdf) => {
        pdfReport = await verifyPdfSignatures(pdf, { trustAnchors: ctx.sandbox.pki.rootPem });
        return {
          valid: pdfReport.indication === 'TOTAL_PASSED',
          indication: pdfReport.indication,
          report: pdfReport,
        };
      },
    },
    autoAcknowledge: true,
    autoRegister: { register: 'central' },
  });
  try {
    await withTimeout('e-CMS letter', ctx.stepTimeoutInMs, async (signal) => {
      // Code lists differ between nodes ("1" vs "001"): read them from the node before encoding.
      await senderClient.loadCodeBook({ abortSignal: signal });
      const outbox = new EcmsOutbox({ client: senderClient, store: senderStore });
      const started = Date.now();
      const record = await outbox.submit(
        {
          id: `${from.bookPrefix} 0105/${started % 10_000}`,
          correspondenceDate: new Date().toISOString().slice(0, 10),
          subject: 'ขอความอนุเคราะห์ตรวจสอบข้อมูลผู้ยื่นคำขอ (demo)',
          speed: 'urgent',
          sender: { jobTitle: 'ผู้อำนวยการ', departmentId: from.organizationId },
          receiver: {
            jobTitle: 'อธิบดี',
            departmentId: ctx.breakAt === 'ecms' ? '9999999999' : to.organizationId,
          },
          mainLetter: { mimeCode: 'application/pdf', content: Buffer.from(signedPdf) },
        },
        { abortSignal: signal },
      );
      report.detail(
        `${from.nameEn} → ${to.nameEn}: letter "${record.letterId}" ${record.state} (ProcessID ${record.processId ?? '?'})`,
      );
      await ctx.audit.append({
        who: officer.citizenId,
        client: 'thgov-demo',
        service: 'ecms',
        operation: 'CorrespondenceLetterOutboundRequest',
        caseRef: 'DEMO-2569-0001',
        purpose: 'official letter to another agency',
        status: 'ok',
        extra: { letterId: record.letterId, to: to.organizationId },
      });

      const received = await untilState(receiverStore, 'inbound', 'registered', receiverWorker, signal);
      report.detail(
        `${to.nameEn}: ${await path(receiverStore, received.journalId)}, เลขทะเบียนรับ ${received.acceptId ?? '?'} (register "central")`,
      );
      const sig = pdfReport?.signatures.find((s) => s.kind === 'signature');
      if (pdfReport?.indication !== 'TOTAL_PASSED')
        throw new Error(
          `the letter's PDF signature did not verify: ${pdfReport?.indication ?? 'not checked'}`,
        );
      report.detail(
        `${to.nameEn}: letter PDF signature ${pdfReport.indication}, level ${sig?.level ?? '?'}, signed ${sig?.signingTime.proven ?? '?'} (proven by time-stamp)`,
      );
      const done = await untilState(senderStore, 'outbound', 'registered', senderWorker, signal);
      if (done.acceptId !== received.acceptId) throw new Error('the sender got another registration number');
      report.detail(
        `${from.nameEn}: notifiers ${sent.join(', ')}; ${await path(senderStore, done.journalId)}, number ${done.acceptId}`,
      );
    });
  } finally {
    await senderClient.close();
    await receiverClient.close();
    await senderStore.close();
    await receiverStore.close();
  }
}

/** The letter's journey as the journal recorded it, e.g. `stored → dequeued → acknowledged → registered`. */
async function path(store: MemoryLetterStore, journalId: string): Promise<string> {
  const steps = await store.transitions(journalId);
  return [steps[0]?.from, ...steps.map((t) => t.to)].filter(Boolean).join(' → ');
}

/** Polls one agency's queue until a letter of that direction reaches the state (bounded by the signal). */
async function untilState(
  store: MemoryLetterStore,
  direction: 'inbound' | 'outbound',
  state: 'registered',
  worker: EcmsInboxWorker,
  signal: AbortSignal,
): Promise<LetterRecord> {
  while (!signal.aborted) {
    await worker.runOnce({ abortSignal: signal });
    const [hit] = await store.list({ direction, states: [state] });
    if (hit) return hit;
    await sleep(POLL_EVERY_IN_MS, signal);
  }
  throw signal.reason ?? new Error('aborted');
}
