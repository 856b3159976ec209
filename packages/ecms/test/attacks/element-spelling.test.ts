// Attack class: element-name spelling. Nodes and saraban clients spell names their own way (ProcessId,
// correspondenceDate, Th-Name…). Exact matching made such an item undecodable, and an undecodable item jammed
// the queue; every name is now compared through one tolerant fold (case, dashes and underscores ignored),
// the same fold the signature checks count letters with — so a spelling can neither jam the inbox nor hide a
// second letter from the verifier (see the "case game" variant in signature-wrapping.test.ts).
import { startEcmsNetwork } from '@thgov/sandbox';
import { describe, expect, it } from 'vitest';
import { decodeInboundResponse } from '../../src/codec.js';
import { EcmsClient, EcmsInboxWorker, MemoryLetterStore } from '../../src/index.js';
import { DGA, DOPA } from '../helpers/letters.js';

const respelled = `<governmentdocument xmlns="urn:th:gov:egif:data:standard:GovernmentDocument:1.0"><correspondenceLetter id="Letter"><Id>มท 5/1</Id><correspondence_date>2026-11-20</correspondence_date><SUBJECT>แจ้งผล</SUBJECT><senderParty><departmentOrganization><id>${DGA}</id></departmentOrganization></senderParty><Receiver-Party><Department-Organization><ID>${DOPA}</ID></Department-Organization></Receiver-Party><mainLetterBinaryObject mimeCode="application/pdf">JVBERi0xLjQ=</mainLetterBinaryObject></correspondenceLetter></governmentdocument>`;

describe('names as real nodes spell them', () => {
  it('a respelled answer decodes (ProcessId, lower-case letter elements, dashes and underscores)', () => {
    const answer = `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:body><correspondenceLetterInboundResponse><ProcessId>P7</ProcessId><processTime>t</processTime>${respelled}</correspondenceLetterInboundResponse></s:body></s:Envelope>`;
    const item = decodeInboundResponse(answer);
    expect(item?.kind).toBe('letter');
    if (item?.kind !== 'letter') return;
    expect(item.processId).toBe('P7');
    expect(item.letter).toMatchObject({ id: 'มท 5/1', subject: 'แจ้งผล', correspondenceDate: '2026-11-20' });
    expect(item.letter.receiver.departmentId).toBe(DOPA);
  });

  it('through the inbox worker: the respelled letter is stored, not refused', async () => {
    const net = await startEcmsNetwork({ seed: 19 });
    const b = net.nodes[1]!;
    const receiver = new EcmsClient({ nodeUrl: b.url, organizationId: b.organizationId });
    try {
      net.injectItem(b.organizationId, { xml: respelled, senderDepartmentId: DGA });
      const store = new MemoryLetterStore();
      expect(await new EcmsInboxWorker({ client: receiver, store, autoAcknowledge: false }).runOnce()).toBe(
        1,
      );
      expect((await store.list({ direction: 'inbound' })).map((r) => r.letterId)).toEqual(['มท 5/1']);
      expect(await store.quarantined()).toEqual([]);
    } finally {
      await receiver.close();
      await net.close();
    }
  });
});
