// Attack class: envelope field spoofing. A letter is the sender's content, yet elements inside it were read as
// the node's own: an ErrorDetail anywhere in the body made the answer a node fault (a sender could make every
// fetch of the receiver's queue "fail" and jam it), and ProcessID/ProcessTime were searched for through the
// whole body. Only where the protocol puts them counts: ErrorDetail or Fault directly in the SOAP Body,
// ProcessID directly in the response element.
import { type EcmsNetwork, startEcmsNetwork } from '@thgov/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeDequeueResponse, decodeInboundResponse } from '../../src/codec.js';
import { EcmsClient, EcmsFaultError, EcmsInboxWorker, MemoryLetterStore } from '../../src/index.js';
import { DGA, DOPA } from '../helpers/letters.js';

const envelope = (body: string, header = '') =>
  `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">${header ? `<soap:Header>${header}</soap:Header>` : ''}<soap:Body>${body}</soap:Body></soap:Envelope>`;

const ERROR_DETAIL =
  '<ErrorDetail><ErrorCode>E_DOWN</ErrorCode><ErrorDescription>node down</ErrorDescription></ErrorDetail>';

function letterWith(inside: string, id = 'มท 9/1'): string {
  return `<GovernmentDocument><CorrespondenceLetter ID="Letter"><ID>${id}</ID><CorrespondenceDate>2026-11-20</CorrespondenceDate><Subject>เรื่อง</Subject><SenderParty><DepartmentOrganization><ID>${DGA}</ID></DepartmentOrganization></SenderParty><ReceiverParty><DepartmentOrganization><ID>${DOPA}</ID></DepartmentOrganization></ReceiverParty>${inside}<MainLetterBinaryObject mimeCode="application/pdf">JVBERi0xLjQ=</MainLetterBinaryObject></CorrespondenceLetter></GovernmentDocument>`;
}

const inbound = (item: string) =>
  envelope(
    `<CorrespondenceLetterInboundResponse><ProcessID>P-REAL</ProcessID><ProcessTime>2026-11-20T10:00:00</ProcessTime>${item}</CorrespondenceLetterInboundResponse>`,
  );

describe('ErrorDetail counts only at the top of the SOAP Body', () => {
  it('an ErrorDetail inside a letter is the letter’s content, not a node fault', () => {
    const item = decodeInboundResponse(inbound(letterWith(ERROR_DETAIL)));
    expect(item?.kind).toBe('letter');
    expect(item?.processId).toBe('P-REAL');
  });

  it('nor inside a notifier, nor in the SOAP header', () => {
    const notifier = `<ReceiveLetterNotifier><LetterID>มท 9/1</LetterID><CorrespondenceDate>2026-11-20</CorrespondenceDate><Subject>s</Subject>${ERROR_DETAIL}</ReceiveLetterNotifier>`;
    expect(decodeInboundResponse(inbound(notifier))?.kind).toBe('notifier');
    const withHeader = envelope(
      '<CorrespondenceLetterDeleteResponse><ProcessID>P1</ProcessID><ProcessTime>t</ProcessTime></CorrespondenceLetterDeleteResponse>',
      ERROR_DETAIL,
    );
    expect(decodeDequeueResponse(withHeader).processId).toBe('P1');
  });

  it('at the top of the Body, and inside a SOAP Fault, it is the node’s fault with its code', () => {
    for (const body of [
      ERROR_DETAIL,
      `<soap:Fault><faultcode>soap:Server</faultcode><faultstring>x</faultstring><detail>${ERROR_DETAIL}</detail></soap:Fault>`,
    ]) {
      let err: unknown;
      try {
        decodeInboundResponse(envelope(body));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(EcmsFaultError);
      expect((err as EcmsFaultError).nodeCode).toBe('E_DOWN');
    }
  });
});

describe('ProcessID comes from the response, never from inside the item', () => {
  it('a ProcessID planted in a letter does not replace the node’s', () => {
    const planted = `<GovernmentDocument><ProcessID>P-VICTIM</ProcessID>${letterWith('').slice('<GovernmentDocument>'.length)}`;
    const answer = envelope(
      `<CorrespondenceLetterInboundResponse><ProcessTime>t</ProcessTime>${planted}<ProcessID>P-REAL</ProcessID></CorrespondenceLetterInboundResponse>`,
    );
    expect(decodeInboundResponse(answer)?.processId).toBe('P-REAL');
  });
});

describe('through the inbox worker and the sandbox node', () => {
  let net: EcmsNetwork;
  let receiver: EcmsClient;
  beforeAll(async () => {
    net = await startEcmsNetwork({ seed: 17 });
    receiver = new EcmsClient({ nodeUrl: net.nodes[1]!.url, organizationId: net.nodes[1]!.organizationId });
  });
  afterAll(async () => {
    await receiver.close();
    await net.close();
  });

  it('a letter carrying an ErrorDetail is stored like any letter; the queue does not look broken', async () => {
    const org = net.nodes[1]!.organizationId;
    net.injectItem(org, { xml: letterWith(ERROR_DETAIL, 'มท 9/2'), senderDepartmentId: DGA });
    net.injectItem(org, { xml: letterWith('', 'มท 9/3'), senderDepartmentId: DGA });
    const store = new MemoryLetterStore();
    const errors: unknown[] = [];
    const w = new EcmsInboxWorker({
      client: receiver,
      store,
      autoAcknowledge: false,
      onError: (e) => void errors.push(e),
    });
    expect(await w.runOnce()).toBe(2);
    expect((await store.list({ direction: 'inbound' })).map((r) => r.letterId)).toEqual(['มท 9/2', 'มท 9/3']);
    expect(await store.quarantined()).toEqual([]);
    expect(errors).toEqual([]);
    expect(net.queue(org).pending).toEqual([]);
  });
});
