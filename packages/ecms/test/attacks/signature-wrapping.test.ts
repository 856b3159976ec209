// Attack class: XML signature wrapping (XSW). A valid signature is made to vouch for content it never covered,
// by moving the signed element where the verifier still finds it and putting the attacker's letter where the
// reader looks (McIntosh & Austel 2005; Somorovsky et al., "On Breaking SAML", 2012). Every variant runs
// through the real inbox worker with signaturePolicy 'require', against the sandbox's e-CMS nodes, with a
// relay rewriting the fetch answer between the receiver's node and its client. Each must end as a refused
// item (quarantined, dequeued, reported), never as a stored, acknowledged or dispatched letter.
import { type EcmsNetwork, type SoapRelay, startEcmsNetwork, startSoapRelay } from '@thgov/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EcmsClient,
  EcmsInboxWorker,
  type InboxLetterEvent,
  type InboxRejectedEvent,
  MemoryLetterStore,
} from '../../src/index.js';
import { standardChain, type TestCert } from '../helpers/certs.js';
import { sampleLetter } from '../helpers/letters.js';
import { EVIL_SUBJECT, evilLetter, NS, operate, type Parts } from '../helpers/surgery.js';

let net: EcmsNetwork;
let relay: SoapRelay;
let sender: EcmsClient;
let receiver: EcmsClient;
let root: TestCert;
let receiverOrg: string;
let senderOrg: string;
let surgery: ((p: Parts) => void) | undefined;
let sent = 0;

beforeAll(async () => {
  const chain = standardChain();
  root = chain.root;
  net = await startEcmsNetwork({ seed: 77 });
  const [a, b] = net.nodes;
  senderOrg = a!.organizationId;
  receiverOrg = b!.organizationId;
  relay = await startSoapRelay({
    target: b!.url,
    rewriteResponse: (xml, ctx) =>
      surgery &&
      ctx.requestElement === 'CorrespondenceLetterInboundRequest' &&
      xml.includes('GovernmentDocument')
        ? operate(xml, surgery)
        : xml,
  });
  sender = new EcmsClient({
    nodeUrl: a!.url,
    organizationId: senderOrg,
    signingKey: { privateKey: chain.signer.key.privatePem, certificate: chain.signer.pem + chain.ca.pem },
  });
  receiver = new EcmsClient({ nodeUrl: relay.url, organizationId: receiverOrg, retry: { maxRetries: 0 } });
});

afterAll(async () => {
  await sender?.close();
  await receiver?.close();
  await relay?.close();
  await net?.close();
});

interface Outcome {
  store: MemoryLetterStore;
  letters: InboxLetterEvent[];
  rejected: InboxRejectedEvent[];
  letterId: string;
}

/** A genuine signed letter from the sender, the surgery applied on the way to the receiver, one worker pass. */
async function deliver(op: ((p: Parts) => void) | undefined): Promise<Outcome> {
  const letterId = `สพร 0105/${++sent}`;
  await sender.sendLetter(sampleLetter({ id: letterId }));
  const store = new MemoryLetterStore();
  const letters: InboxLetterEvent[] = [];
  const rejected: InboxRejectedEvent[] = [];
  surgery = op;
  try {
    await new EcmsInboxWorker({
      client: receiver,
      store,
      signaturePolicy: 'require',
      trustAnchors: [root.pem],
      onLetter: (e) => {
        letters.push(e);
      },
      onRejected: (e) => {
        rejected.push(e);
      },
    }).runOnce();
  } finally {
    surgery = undefined;
  }
  return { store, letters, rejected, letterId };
}

async function expectRefused(o: Outcome, code: string, reason?: string): Promise<void> {
  expect(o.letters).toEqual([]);
  expect(await o.store.list({ direction: 'inbound' })).toEqual([]);
  const [kept, ...more] = await o.store.quarantined();
  expect(more).toEqual([]);
  expect(kept?.error.code).toBe(code);
  if (reason) expect(kept?.error.reason).toBe(reason);
  expect(kept?.settled).toBe(true);
  expect(kept?.sha256).toMatch(/^[0-9a-f]{64}$/);
  expect(Buffer.from(kept?.xml ?? []).toString('utf8')).toContain('GovernmentDocument');
  expect(o.rejected.map((r) => r.quarantined.id)).toEqual([kept?.id]);
  // Dequeued: the queue moved on. Never acknowledged: the sender's letter was not "received".
  expect(net.queue(receiverOrg).pending).toEqual([]);
  const status = net.outbound(senderOrg).find((r) => r.letterId === o.letterId)?.status;
  expect(['Sent', 'Invalid']).toContain(status);
  // Nothing the attacker wrote reached the journal.
  expect(JSON.stringify(await o.store.list())).not.toContain(EVIL_SUBJECT);
}

function setId(el: Parts['letter'], spelling: 'iD' | 'wsu:Id' | 'xml:id', value = 'Letter'): void {
  if (spelling === 'iD') el.setAttribute('iD', value);
  else el.setAttributeNS(spelling === 'wsu:Id' ? NS.wsu : NS.xml, spelling, value);
}

/** The signed letter moved into soap:Header, where an ID lookup still finds it. */
function signedIntoHeader(p: Parts): void {
  p.header.appendChild(p.letter);
}

describe('signature wrapping through the inbox worker (policy require)', () => {
  it('control: the untouched signed letter is stored, acknowledged and dispatched', async () => {
    const o = await deliver(undefined);
    expect(o.letters).toHaveLength(1);
    const [r] = await o.store.list({ direction: 'inbound' });
    expect(r?.signatureStatus).toBe('valid');
    expect(r?.state).toBe('acknowledged');
    expect(await o.store.quarantined()).toEqual([]);
  });

  const variants: [string, (p: Parts) => void, string, string][] = [
    [
      'sibling: unsigned letter before the signed one',
      (p) => p.govDoc.insertBefore(evilLetter(p), p.letter),
      'ERR_ECMS_SIGNATURE',
      'letter-count',
    ],
    [
      'sibling: unsigned letter after the signed one',
      (p) => p.govDoc.insertBefore(evilLetter(p), p.signatureBlock),
      'ERR_ECMS_SIGNATURE',
      'letter-count',
    ],
    [
      'child/wrapper: signed letter moved into a wrapper, the attacker’s in its place',
      (p) => {
        const evil = evilLetter(p);
        const wrapper = p.doc.createElementNS(NS.ram, 'ram:Extension');
        p.govDoc.insertBefore(evil, p.letter);
        p.govDoc.insertBefore(wrapper, p.signatureBlock);
        wrapper.appendChild(p.letter);
      },
      'ERR_ECMS_SIGNATURE',
      'letter-count',
    ],
    [
      'child/wrapper: signed letter hidden in ds:Object of the signature',
      (p) => {
        const evil = evilLetter(p);
        const object = p.doc.createElementNS(NS.ds, 'ds:Object');
        p.govDoc.insertBefore(evil, p.letter);
        p.signature.appendChild(object);
        object.appendChild(p.letter);
      },
      'ERR_ECMS_SIGNATURE',
      'letter-count',
    ],
    [
      'soap:Header: signed letter moved to the header, the attacker’s in the document',
      (p) => {
        p.govDoc.insertBefore(evilLetter(p), p.letter);
        signedIntoHeader(p);
      },
      'ERR_ECMS_SIGNATURE',
      'reference-target',
    ],
    [
      'namespace: the attacker’s letter in a foreign namespace beside the signed one',
      (p) =>
        p.govDoc.insertBefore(
          evilLetter(p, { ns: 'urn:evil', qname: 'evil:CorrespondenceLetter' }),
          p.letter,
        ),
      'ERR_ECMS_SIGNATURE',
      'letter-count',
    ],
    [
      'namespace: signed letter parked in a foreign-namespace element of the Body',
      (p) => {
        const archive = p.doc.createElementNS('urn:evil', 'evil:Archive');
        p.govDoc.insertBefore(evilLetter(p), p.letter);
        p.body.appendChild(archive);
        archive.appendChild(p.letter);
      },
      'ERR_ECMS_SIGNATURE',
      'reference-target',
    ],
    [
      'case game: the attacker’s letter spelled correspondenceletter',
      (p) => p.govDoc.insertBefore(evilLetter(p, { qname: 'ram:correspondenceletter' }), p.letter),
      'ERR_ECMS_SIGNATURE',
      'letter-count',
    ],
    ...(['iD', 'wsu:Id', 'xml:id'] as const).map((spelling): [string, (p: Parts) => void, string, string] => [
      `duplicate ID spelling: attacker’s letter with ${spelling}="Letter", signed one in the header`,
      (p) => {
        const evil = evilLetter(p);
        setId(evil, spelling);
        p.govDoc.insertBefore(evil, p.letter);
        signedIntoHeader(p);
      },
      'ERR_ECMS_SIGNATURE',
      'duplicate-id',
    ]),
    [
      'whitespace game: attacker’s letter with ID=" Letter ", signed one in the header',
      (p) => {
        const evil = evilLetter(p);
        evil.setAttribute('ID', ' Letter ');
        p.govDoc.insertBefore(evil, p.letter);
        signedIntoHeader(p);
      },
      'ERR_ECMS_SIGNATURE',
      'duplicate-id',
    ],
    [
      'comment game: the signed letter commented out, a look-alike with the same ID in its place',
      (p) => {
        const look = evilLetter(p, { keepId: true });
        p.govDoc.insertBefore(p.doc.createComment(' original letter archived here '), p.letter);
        p.govDoc.replaceChild(look, p.letter);
      },
      'ERR_ECMS_SIGNATURE',
      'digest-mismatch',
    ],
    [
      'comment and processing-instruction decoys around a header-moved signed letter',
      (p) => {
        const evil = evilLetter(p);
        p.govDoc.insertBefore(p.doc.createComment('<ram:CorrespondenceLetter ID="Letter">'), p.letter);
        p.govDoc.insertBefore(p.doc.createProcessingInstruction('letter', 'ID="Letter"'), p.letter);
        p.govDoc.insertBefore(evil, p.letter);
        signedIntoHeader(p);
      },
      'ERR_ECMS_SIGNATURE',
      'reference-target',
    ],
    [
      'signature exclusion: the signature moved out of the document into the header',
      (p) => {
        const evil = evilLetter(p);
        p.govDoc.replaceChild(evil, p.letter);
        p.header.appendChild(p.signature);
        p.header.appendChild(p.letter);
      },
      'ERR_ECMS_SIGNATURE',
      'missing',
    ],
    [
      'signature inside the letter it signs (enveloped), outside GovernmentSignature',
      (p) => p.letter.appendChild(p.signature),
      'ERR_ECMS_SIGNATURE',
      'signature-location',
    ],
    [
      'second item: an unsigned GovernmentDocument before the signed one in the answer',
      (p) => {
        const decoy = p.govDoc.cloneNode(true) as Parts['govDoc'];
        const sig = decoy.getElementsByTagNameNS(NS.ds, 'Signature').item(0);
        sig?.parentNode?.removeChild(sig);
        p.response.insertBefore(decoy, p.govDoc);
      },
      'ERR_ECMS_MESSAGE',
      '',
    ],
    [
      'extra reference in SignedInfo',
      (p) => p.signedInfo.appendChild(p.reference.cloneNode(true)),
      'ERR_ECMS_SIGNATURE',
      'reference-count',
    ],
    [
      'whole-document reference (URI="")',
      (p) => p.reference.setAttribute('URI', ''),
      'ERR_ECMS_SIGNATURE',
      'reference-uri',
    ],
    [
      'XPath transform that could exclude the binaries',
      (p) => {
        const transforms = p.reference.getElementsByTagNameNS(NS.ds, 'Transforms').item(0);
        const t = p.doc.createElementNS(NS.ds, 'ds:Transform');
        t.setAttribute('Algorithm', 'http://www.w3.org/TR/1999/REC-xpath-19991116');
        const xpath = p.doc.createElementNS(NS.ds, 'ds:XPath');
        xpath.textContent = 'not(ancestor-or-self::*[local-name()="MainLetterBinaryObject"])';
        t.appendChild(xpath);
        transforms?.appendChild(t);
      },
      'ERR_ECMS_SIGNATURE',
      'reference-transform',
    ],
  ];

  for (const [name, op, code, reason] of variants) {
    it(name, async () => {
      const o = await deliver(op);
      await expectRefused(o, code, reason || undefined);
    });
  }

  it('a refused letter is answered with InvalidLetterNotifier when its own key can be read', async () => {
    const o = await deliver((p) => p.govDoc.insertBefore(evilLetter(p), p.signatureBlock));
    const [kept] = await o.store.quarantined();
    expect(kept?.letterKey?.letterId).toBe(o.letterId);
    expect(kept?.notified).toBe(true);
    expect(kept?.note).toBe('InvalidLetterNotifier sent');
    expect(net.outbound(senderOrg).find((r) => r.letterId === o.letterId)?.status).toBe('Invalid');
  });
});
