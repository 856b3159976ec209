import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ECMS_ORGANIZATIONS,
  type EcmsNetwork,
  startEcmsNetwork,
  startSandbox,
  startSoapRelay,
} from '../src/index.js';

const SOAP = 'http://schemas.xmlsoap.org/soap/envelope/';
const WSA = 'http://www.w3.org/2005/08/addressing';

function envelope(to: string, body: string): string {
  return `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="${SOAP}" xmlns:a="${WSA}"><s:Header><a:MessageID>uuid:1</a:MessageID><a:To>${to}</a:To></s:Header><s:Body>${body}</s:Body></s:Envelope>`;
}

async function call(url: string, to: string, body: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'text/xml; charset=utf-8' },
    body: envelope(to, body),
  });
  return { status: res.status, text: await res.text() };
}

function letter(id: string, from: string, to: string): string {
  return `<CorrespondenceLetterOutboundRequest><rsm:GovernmentDocument xmlns:rsm="urn:th:gov:egif:data:standard:GovernmentDocument:1.0" xmlns:ram="urn:th:gov:egif:data:standard:ReusableAggregateBusinessInformationEntity:1"><ram:CorrespondenceLetter ID="Letter"><ram:ID>${id}</ram:ID><ram:CorrespondenceDate>2026-11-27</ram:CorrespondenceDate><ram:Subject>ทดสอบ</ram:Subject><ram:SenderParty><ram:DepartmentOrganization><ram:ID>${from}</ram:ID></ram:DepartmentOrganization></ram:SenderParty><ram:ReceiverParty><ram:DepartmentOrganization><ram:ID>${to}</ram:ID></ram:DepartmentOrganization></ram:ReceiverParty><ram:MainLetterBinaryObject mimeCode="application/pdf">JVBERi0=</ram:MainLetterBinaryObject></ram:CorrespondenceLetter></rsm:GovernmentDocument></CorrespondenceLetterOutboundRequest>`;
}

const tag = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];

let net: EcmsNetwork;
beforeAll(async () => {
  net = await startEcmsNetwork({ organizations: 3, seed: 1 });
});
afterAll(() => net.close());

describe('e-CMS network emulator', () => {
  it('starts one node per organisation with Thai names and 10-digit codes', async () => {
    expect(net.nodes).toHaveLength(3);
    for (const n of net.nodes) {
      expect(n.organizationId).toMatch(/^\d{10}$/);
      expect(n.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/ecms-ws01\/service2$/);
      expect(n.nameTh).toMatch(/[\u0E00-\u0E7F]/);
    }
    const a = net.nodes[0]!;
    const orgs = await call(a.url, a.url, '<GetOrganizationList/>');
    expect(orgs.status).toBe(200);
    expect(orgs.text.match(/<OrganizationList>/g)).toHaveLength(3);
    expect(orgs.text).toContain(`<ECMS-URL>${net.nodes[2]!.url}</ECMS-URL>`);
    const ministries = await call(a.url, a.url, '<GetMinistryOrganizationList/>');
    expect(ministries.text).toContain('<Th-Name>กระทรวงมหาดไทย</Th-Name><MinistryID>15</MinistryID>');
    for (const list of ['GetSecretCodes', 'GetSpeedCodes', 'GetMimeCodes']) {
      expect((await call(a.url, a.url, `<${list}/>`)).text).toContain(`<${list}Response>`);
    }
    expect(tag((await call(a.url, a.url, '<TimeCheckRequest/>')).text, 'ECMSTime')).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$/,
    );
  });

  it('routes a letter by wsa:To into the destination queue; undeleted items are redelivered until dequeued', async () => {
    const [a, b] = net.nodes as [(typeof net.nodes)[0], (typeof net.nodes)[0]];
    const sent = await call(a.url, b.url, letter('ก 1/1', a.organizationId, b.organizationId));
    const processId = tag(sent.text, 'ProcessID');
    expect(processId).toBeTruthy();
    expect(sent.text).toContain('GovernmentDocument');
    const first = await call(b.url, b.url, '<CorrespondenceLetterInboundRequest/>');
    const second = await call(b.url, b.url, '<CorrespondenceLetterInboundRequest/>');
    expect(tag(first.text, 'ProcessID')).toBe(processId);
    expect(tag(second.text, 'ProcessID')).toBe(processId);
    expect(net.queue(b.organizationId).pending[0]?.fetchCount).toBe(2);
    const del = await call(
      b.url,
      b.url,
      `<CorrespondenceLetterDeleteRequest><ProcessID>${processId}</ProcessID></CorrespondenceLetterDeleteRequest>`,
    );
    expect(tag(del.text, 'ProcessID')).toBe(processId);
    const empty = await call(b.url, b.url, '<CorrespondenceLetterInboundRequest/>');
    expect(empty.text).toContain('<CorrespondenceLetterInboundResponse/>');
    // The receipt goes back to the sender's queue and moves the outbound status.
    await call(
      b.url,
      a.url,
      '<CorrespondenceLetterOutboundRequest><ReceiveLetterNotifier><LetterID>ก 1/1</LetterID><CorrespondenceDate>2026-11-27</CorrespondenceDate><Subject>ทดสอบ</Subject></ReceiveLetterNotifier></CorrespondenceLetterOutboundRequest>',
    );
    expect(net.queue(a.organizationId).pending.map((i) => i.kind)).toEqual(['receive']);
    expect(net.outbound(a.organizationId)[0]?.status).toBe('Received');
    const status = await call(a.url, a.url, '<OutboundStatusRequest/>');
    expect(tag(status.text, 'ProcessStatus')).toBe('Received');
  });

  it('queues a notifier in the reference shape (no department codes); `notifierShape: routed` adds them', async () => {
    const accept = (id: string) =>
      `<CorrespondenceLetterOutboundRequest><AcceptLetterNotifier><LetterID>${id}</LetterID><AcceptID>7/2569</AcceptID><CorrespondenceDate>2026-11-27</CorrespondenceDate><Subject>ทดสอบ</Subject></AcceptLetterNotifier></CorrespondenceLetterOutboundRequest>`;
    const fetchAccept = async (n: EcmsNetwork, id: string) => {
      const [a, b] = n.nodes as [(typeof n.nodes)[0], (typeof n.nodes)[0]];
      await call(a.url, b.url, letter(id, a.organizationId, b.organizationId));
      const answer = await call(b.url, a.url, accept(id));
      expect(tag(answer.text, 'ProcessID')).toBeTruthy();
      // The sender's answer still names who registered it (AcceptDate, AcceptDepartment/Code).
      expect(answer.text).toContain(`<AcceptDepartment><Code>${b.organizationId}</Code></AcceptDepartment>`);
      const fetched = await call(a.url, a.url, '<CorrespondenceLetterInboundRequest/>');
      return /<AcceptLetterNotifier>.*<\/AcceptLetterNotifier>/.exec(fetched.text)?.[0] ?? '';
    };
    const fresh = await startEcmsNetwork({ seed: 5 });
    const routed = await startEcmsNetwork({ seed: 5, notifierShape: 'routed' });
    try {
      const item = await fetchAccept(fresh, 'ก 5/1');
      expect(item).toMatch(
        /^<AcceptLetterNotifier><LetterID>ก 5\/1<\/LetterID><AcceptID>7\/2569<\/AcceptID><CorrespondenceDate>2026-11-27<\/CorrespondenceDate><Subject>ทดสอบ<\/Subject><AcceptDate>[^<]+<\/AcceptDate><\/AcceptLetterNotifier>$/,
      );
      expect(fresh.queue(fresh.nodes[0]!.organizationId).pending[0]).toMatchObject({
        kind: 'accept',
        acceptDepartmentId: fresh.nodes[1]!.organizationId,
      });
      const withCodes = await fetchAccept(routed, 'ก 5/2');
      expect(withCodes).toContain(
        `<SenderDepartment><Code>${routed.nodes[0]!.organizationId}</Code></SenderDepartment><AcceptDepartment><Code>${routed.nodes[1]!.organizationId}</Code></AcceptDepartment>`,
      );
    } finally {
      await fresh.close();
      await routed.close();
    }
  });

  it('answers ErrorDetail for bad requests and refuses hostile XML', async () => {
    const [a, b] = net.nodes as [(typeof net.nodes)[0], (typeof net.nodes)[0]];
    const cases: [string, string, string][] = [
      [b.url, letter('ก 2/1', b.organizationId, b.organizationId), 'E_SENDER'],
      [
        'http://elsewhere/ecms-ws01/service2',
        letter('ก 2/2', a.organizationId, b.organizationId),
        'E_DESTINATION',
      ],
      [net.nodes[2]!.url, letter('ก 2/3', a.organizationId, b.organizationId), 'E_RECEIVER'],
      [
        a.url,
        '<CorrespondenceLetterDeleteRequest><ProcessID>nope</ProcessID></CorrespondenceLetterDeleteRequest>',
        'E_PROCESS_NOT_FOUND',
      ],
      [a.url, '<Nonsense/>', 'E_OPERATION'],
      [
        b.url,
        '<CorrespondenceLetterOutboundRequest><AcceptLetterNotifier><LetterID>x</LetterID><CorrespondenceDate>2026-11-27</CorrespondenceDate><Subject>s</Subject></AcceptLetterNotifier></CorrespondenceLetterOutboundRequest>',
        'E_REQUIRED',
      ],
    ];
    for (const [to, body, code] of cases) {
      const r = await call(a.url, to, body);
      expect(tag(r.text, 'ErrorCode')).toBe(code);
    }
    const xxe = await fetch(a.url, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
    });
    expect(xxe.status).toBe(400);
    expect(await xxe.text()).toContain('<ErrorCode>E_XML_HOSTILE</ErrorCode>');
    const notXml = await fetch(a.url, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: 'hello',
    });
    expect(notXml.status).toBe(400);
    expect((await fetch(a.url)).status).toBe(405);
    expect((await fetch(a.url.replace('service2', 'other'), { method: 'POST' })).status).toBe(404);
  });

  it('withdraws a rejected letter and accepts the resend', async () => {
    const [a, b] = net.nodes as [(typeof net.nodes)[0], (typeof net.nodes)[0]];
    await call(a.url, b.url, letter('ก 3/1', a.organizationId, b.organizationId));
    const key = `<LetterID>ก 3/1</LetterID><CorrespondenceDate>2026-11-27</CorrespondenceDate><SenderDepartment><Code>${a.organizationId}</Code></SenderDepartment><AcceptDepartment><Code>${b.organizationId}</Code></AcceptDepartment>`;
    await call(
      b.url,
      a.url,
      '<CorrespondenceLetterOutboundRequest><RejectLetterNotifier><LetterID>ก 3/1</LetterID><CorrespondenceDate>2026-11-27</CorrespondenceDate><Subject>ทดสอบ</Subject></RejectLetterNotifier></CorrespondenceLetterOutboundRequest>',
    );
    const w = await call(
      a.url,
      a.url,
      `<CorrespondenceDeleteGovernmentDocumentRequest>${key}</CorrespondenceDeleteGovernmentDocumentRequest>`,
    );
    expect(w.text).toContain('CorrespondenceDeleteGovernmentDocumentResponse');
    const again = await call(
      a.url,
      a.url,
      `<CorrespondenceDeleteGovernmentDocumentRequest>${key}</CorrespondenceDeleteGovernmentDocumentRequest>`,
    );
    expect(tag(again.text, 'ErrorCode')).toBe('E_LETTER_NOT_FOUND');
    await call(a.url, b.url, letter('ก 3/1', a.organizationId, b.organizationId));
    expect(
      net
        .outbound(a.organizationId)
        .filter((o) => o.letterId === 'ก 3/1')
        .map((o) => o.status),
    ).toEqual(['Deleted', 'Sent']);
    const special = await call(
      b.url,
      b.url,
      `<CorrespondenceLetterInboundSpecialRequest><GovernmentDocument>${key}</GovernmentDocument></CorrespondenceLetterInboundSpecialRequest>`,
    );
    expect(special.text).toContain('ก 3/1');
  });

  it('injects faults: 503 from the profile, lost responses after commit', async () => {
    const faulty = await startEcmsNetwork({
      seed: 4,
      faults: { rules: [{ route: '/ecms-ws01', unavailable: 1 }] },
    });
    try {
      const n = faulty.nodes[0]!;
      expect(
        (await fetch(n.url, { method: 'POST', body: envelope(n.url, '<TimeCheckRequest/>') })).status,
      ).toBe(503);
      faulty.faults.setProfile({ rules: [] });
      faulty.setLostResponse(1);
      const m = faulty.nodes[1]!;
      await expect(call(n.url, m.url, letter('ก 4/1', n.organizationId, m.organizationId))).rejects.toThrow();
      // Committed although the caller never heard back.
      expect(faulty.queue(m.organizationId).pending).toHaveLength(1);
    } finally {
      await faulty.close();
    }
    expect(ECMS_ORGANIZATIONS.length).toBeGreaterThanOrEqual(2);
  });

  it('injectItem queues an item byte for byte (a broken peer’s letter), delivered and dequeued like any other', async () => {
    const fresh = await startEcmsNetwork({ organizations: 1, seed: 2 });
    try {
      const [n] = fresh.nodes as [(typeof fresh.nodes)[0]];
      const raw =
        '<GovernmentDocument><CorrespondenceLetter><ID>x &#9999999; \u0001</ID></CorrespondenceLetter></GovernmentDocument>';
      const processId = fresh.injectItem(n.organizationId, { xml: raw, letterId: 'x' });
      const fetched = await call(n.url, n.url, '<CorrespondenceLetterInboundRequest/>');
      expect(fetched.text).toContain(`<ProcessID>${processId}</ProcessID>`);
      expect(fetched.text).toContain(raw);
      const deleted = await call(
        n.url,
        n.url,
        `<CorrespondenceLetterDeleteRequest><ProcessID>${processId}</ProcessID></CorrespondenceLetterDeleteRequest>`,
      );
      expect(tag(deleted.text, 'ProcessID')).toBe(processId);
      expect(fresh.queue(n.organizationId).pending).toEqual([]);
    } finally {
      await fresh.close();
    }
  });

  it('a SOAP relay passes requests through and lets a test rewrite the answers', async () => {
    const [a] = net.nodes as [(typeof net.nodes)[0]];
    const seen: (string | undefined)[] = [];
    const relay = await startSoapRelay({
      target: a.url,
      rewriteResponse: (text, ctx) => {
        seen.push(ctx.requestElement);
        return ctx.requestElement === 'TimeCheckRequest'
          ? text.replace(/<ECMSTime>[^<]*/, '<ECMSTime>2000-01-01T00:00:00')
          : text;
      },
    });
    try {
      expect(relay.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/ecms-ws01\/service2$/);
      expect(tag((await call(relay.url, a.url, '<TimeCheckRequest/>')).text, 'ECMSTime')).toBe(
        '2000-01-01T00:00:00',
      );
      expect((await call(relay.url, a.url, '<GetOrganizationList/>')).text).toContain(
        `<ECMS-URL>${a.url}</ECMS-URL>`,
      );
      expect(seen).toEqual(['TimeCheckRequest', 'GetOrganizationList']);
      expect(relay.counters()).toEqual({ relayed: 2, rewritten: 1 });
    } finally {
      await relay.close();
    }
    await expect(startSoapRelay({ target: 'http://example.org/ecms-ws01/service2' })).rejects.toThrow(
      RangeError,
    );
  });

  it('is part of startSandbox (sandbox.ecms) and closed with it', async () => {
    const sb = await startSandbox({ ecms: { organizations: 2 } });
    const node = sb.ecms.nodes[1]!;
    const r = await call(node.url, node.url, '<TimeCheckRequest/>');
    expect(r.text).toContain('<ECMSTime>');
    await sb.close();
    await expect(call(node.url, node.url, '<TimeCheckRequest/>')).rejects.toThrow();
  });
});
