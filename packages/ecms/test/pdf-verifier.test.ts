// The inbox worker's injected PDF verifier: the signed main letter PDF is checked on receipt (here with
// @thgov/esign's verifyPdfSignatures, a dev dependency only), the report is stored with the letter's evidence,
// and the `require` policy holds back a letter whose PDF signature does not pass.
import { KeyObject } from 'node:crypto';
import { keyObjectSigner, signPdf, verifyPdfSignatures } from '@thgov/esign';
import {
  buildSimplePdf,
  type EcmsNetwork,
  type SandboxPki,
  startEcmsNetwork,
  startSandboxPki,
} from '@thgov/sandbox';
import { flipByte } from '@thgov/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  EcmsClient,
  EcmsInboxWorker,
  MemoryLetterStore,
  PDF_VERIFICATION_OPERATION,
  type PdfVerifierOptions,
} from '../src/index.js';
import { DGA, sampleLetter } from './helpers/letters.js';

let pki: SandboxPki;
let signed: Buffer;
let tampered: Buffer;
let net: EcmsNetwork;
let sender: EcmsClient;
let receiver: EcmsClient;
let store: MemoryLetterStore;

beforeAll(async () => {
  pki = await startSandboxPki();
  const signer = keyObjectSigner(KeyObject.from(pki.signer.privateKey as never), [
    pki.signer.certificate,
    pki.issuingCa.certificate,
  ]);
  const pdf = buildSimplePdf('Letter 0105/77', ['Signed main letter']);
  signed = Buffer.from(
    await signPdf(new Uint8Array(pdf), { signer, trustAnchors: pki.rootPem, revocation: 'fetch' }),
  );
  tampered = Buffer.from(flipByte(new Uint8Array(signed), signed.indexOf('Signed main letter')));
}, 60_000);

afterAll(async () => {
  await pki?.close();
});

beforeEach(async () => {
  net = await startEcmsNetwork({ seed: 4 });
  const [a, b] = net.nodes;
  sender = new EcmsClient({ nodeUrl: a!.url, organizationId: a!.organizationId });
  receiver = new EcmsClient({ nodeUrl: b!.url, organizationId: b!.organizationId, retry: { maxRetries: 0 } });
  store = new MemoryLetterStore();
});

afterEach(async () => {
  await sender.close();
  await receiver.close();
  await net.close();
});

const contexts: { senderDepartmentId: string; letterId: string }[] = [];
const esignVerifier: PdfVerifierOptions['verify'] = async (pdf, context) => {
  contexts.push(context);
  const report = await verifyPdfSignatures(pdf, { trustAnchors: pki.rootPem });
  const { indication, subIndication } = report;
  return {
    valid: indication === 'TOTAL_PASSED',
    indication,
    ...(subIndication ? { subIndication } : {}),
    report,
  };
};

async function receive(pdf: Buffer, pdfVerifier: PdfVerifierOptions, id = 'สพร 0105/77') {
  await sender.sendLetter(sampleLetter({ id, mainLetter: { mimeCode: 'application/pdf', content: pdf } }));
  const worker = new EcmsInboxWorker({ client: receiver, store, pdfVerifier });
  expect(await worker.runOnce()).toBe(1);
  const [record] = await store.list({ direction: 'inbound' });
  const evidence = (await store.evidence(record!.journalId)).filter(
    (e) => e.operation === PDF_VERIFICATION_OPERATION,
  );
  expect(evidence).toHaveLength(1);
  const stored = JSON.parse(Buffer.from(evidence[0]!.xml).toString('utf8')) as {
    valid: boolean;
    indication: string;
    subIndication?: string;
    report: { signatures: unknown[] };
  };
  return { record: record!, stored };
}

describe('inbox worker: pdfVerifier', () => {
  it('record: a signed letter PDF passes, the report is stored with the evidence, the letter is acknowledged', async () => {
    const { record, stored } = await receive(signed, { verify: esignVerifier });
    expect(stored).toMatchObject({ valid: true, indication: 'TOTAL_PASSED' });
    expect(stored.report.signatures).toHaveLength(1);
    expect(record.state).toBe('acknowledged');
    expect(contexts.at(-1)).toEqual({ senderDepartmentId: DGA, letterId: 'สพร 0105/77' });
  });

  it('record: a tampered PDF is recorded TOTAL_FAILED, and the letter still goes on', async () => {
    const { record, stored } = await receive(tampered, { verify: esignVerifier, policy: 'record' });
    expect(stored).toMatchObject({ valid: false, indication: 'TOTAL_FAILED', subIndication: 'HASH_FAILURE' });
    expect(record.state).toBe('acknowledged');
    expect(record.signatureStatus).not.toMatch(/^failed/);
  });

  it('require: a tampered PDF holds the letter back (failed:ERR_ECMS_PDF_SIGNATURE, not acknowledged)', async () => {
    const { record, stored } = await receive(tampered, { verify: esignVerifier, policy: 'require' });
    expect(stored.indication).toBe('TOTAL_FAILED');
    expect(record.signatureStatus).toBe('failed:ERR_ECMS_PDF_SIGNATURE');
    expect(record.state).toBe('dequeued');
    expect(net.queue(net.nodes[0]!.organizationId).all.filter((i) => i.kind === 'receive')).toHaveLength(0);
  });

  it('require: a verifier that throws counts as not valid; a valid PDF is acknowledged', async () => {
    const broken = await receive(signed, {
      verify: async () => {
        throw new Error('verifier crashed');
      },
      policy: 'require',
    });
    expect(broken.stored).toMatchObject({ valid: false, indication: 'INDETERMINATE' });
    expect(broken.record.signatureStatus).toBe('failed:ERR_ECMS_PDF_SIGNATURE');
    store = new MemoryLetterStore();
    const ok = await receive(signed, { verify: esignVerifier, policy: 'require' }, 'สพร 0105/78');
    expect(ok.record.state).toBe('acknowledged');
  });

  it('an option that is not a function or a known policy is refused', () => {
    expect(
      () =>
        new EcmsInboxWorker({
          client: receiver,
          store,
          pdfVerifier: { verify: esignVerifier, policy: 'strict' as never },
        }),
    ).toThrow(/pdfVerifier/);
  });
});
