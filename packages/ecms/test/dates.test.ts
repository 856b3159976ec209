import { isThGovError } from '@thgov/core';
import { describe, expect, it } from 'vitest';
import { parseAgencyDate } from '../src/codec/dates.js';
import { decodeInboundResponse, decodeTimeCheckResponse } from '../src/codec.js';
import { decodeGovernmentDocument } from '../src/index.js';
import { DGA, DOPA } from './helpers/letters.js';

const soap = (body: string) =>
  `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${body}</soap:Body></soap:Envelope>`;

function letterXml(date: string, sendDate?: string) {
  return `<x:GovernmentDocument xmlns:x="urn:th:gov:egif:data:standard:GovernmentDocument:1.0" xmlns:y="urn:th:gov:egif:data:standard:ReusableAggregateBusinessInformationEntity:1">
  <y:CorrespondenceLetter ID="Letter"><y:ID>มท 0309/77</y:ID><y:CorrespondenceDate>${date}</y:CorrespondenceDate>
    <y:Subject>แจ้งผล</y:Subject>
    <y:SenderParty><y:DepartmentOrganization><y:ID>${DOPA}</y:ID></y:DepartmentOrganization></y:SenderParty>
    <y:ReceiverParty><y:DepartmentOrganization><y:ID>${DGA}</y:ID></y:DepartmentOrganization></y:ReceiverParty>
    ${sendDate ? `<y:SendDate>${sendDate}</y:SendDate>` : ''}
    <y:MainLetterBinaryObject mimeCode="application/pdf">${Buffer.from('%PDF-1.4 body').toString('base64')}</y:MainLetterBinaryObject>
  </y:CorrespondenceLetter></x:GovernmentDocument>`;
}

function refused(text: string): string {
  try {
    parseAgencyDate(text, 'CorrespondenceDate');
  } catch (err) {
    expect(isThGovError(err)).toBe(true);
    expect(err).toMatchObject({ code: 'ERR_ECMS_MESSAGE' });
    return (err as Error).message;
  }
  throw new Error(`"${text.slice(0, 40)}" was accepted`);
}

describe('dates as agencies write them (one rule)', () => {
  it.each([
    ['27/11/2569', { date: '2026-11-27' }],
    ['7/1/2569', { date: '2026-01-07' }],
    ['2569-11-27', { date: '2026-11-27' }],
    ['2026-11-27', { date: '2026-11-27' }],
    ['27/11/2026', { date: '2026-11-27' }],
    ['  2026-11-27  ', { date: '2026-11-27' }],
    ['2026-11-27T10:15:00', { date: '2026-11-27', time: '10:15:00' }],
    ['2026-11-27 10:15', { date: '2026-11-27', time: '10:15:00' }],
    ['2026-11-27T10:15:00.250Z', { date: '2026-11-27', time: '10:15:00.250', offset: 'Z' }],
    ['2026-11-27T10:15:00+0700', { date: '2026-11-27', time: '10:15:00', offset: '+07:00' }],
    ['27/11/2569 14:05', { date: '2026-11-27', time: '14:05:00' }],
    ['27/11/2569 9:05:30', { date: '2026-11-27', time: '09:05:30' }],
    ['27/11/2569 14.05 น.', { date: '2026-11-27', time: '14:05:00' }],
    ['29/2/2567', { date: '2024-02-29' }],
  ])('%s', (text, expected) => {
    expect(parseAgencyDate(text, 'x')).toEqual(expected);
  });

  it('refuses invalid and ambiguous dates with a typed error, never a guessed date', () => {
    expect(refused('31/02/2569')).toMatch(/not a calendar date/);
    expect(refused('29/2/2568')).toMatch(/not a calendar date/);
    expect(refused('2569-13-01')).toMatch(/not a calendar date/);
    expect(refused('11/27/2569')).toMatch(/not a calendar date/); // month first is not read
    expect(refused('27/11/69')).toMatch(/two-digit year is ambiguous/);
    expect(refused('27-11-2569')).toMatch(/is not a date/);
    expect(refused('27/11/2569 25:00')).toMatch(/time of day/);
    expect(refused('2026-11-27T10:00:00+15:00')).toMatch(/offset/);
    expect(refused('')).toMatch(/is not a date/);
    expect(refused('พฤหัสบดี 27 พ.ย. 69')).toMatch(/is not a date/);
  });

  it('refuses overflowing years and huge texts (no far-away dates, no quadratic work)', () => {
    expect(refused('9999-12-31')).toMatch(/year is out of range/); // BE 9999 would be 9456
    expect(refused('31/12/9999')).toMatch(/year is out of range/);
    expect(refused('1799-01-01')).toMatch(/year is out of range/);
    expect(refused('0000-01-01')).toMatch(/year is out of range/);
    expect(refused('99999-01-01')).toMatch(/is not a date/);
    const huge = `${'1/'.repeat(2_000_000)}2569`;
    expect(refused(huge)).toMatch(/too long/);
    expect(refused(`2026-11-27${' '.repeat(100)}x`)).toMatch(/too long/);
  });

  it('a date-only field written with a time zone is the date in Thailand at that instant', () => {
    const doc = decodeGovernmentDocument(letterXml('2026-11-27T20:30:00Z'));
    expect(doc.correspondenceDate).toBe('2026-11-28');
    expect(doc.dateText).toEqual({ correspondenceDate: '2026-11-27T20:30:00Z' });
    expect(decodeGovernmentDocument(letterXml('2026-11-27T20:30:00')).correspondenceDate).toBe('2026-11-27');
  });

  it('keeps the text as written beside the parsed dates (letters)', () => {
    const doc = decodeGovernmentDocument(letterXml('27/11/2569', '27/11/2569 10:15'));
    expect(doc.correspondenceDate).toBe('2026-11-27');
    expect(doc.sendDate).toBe('2026-11-27T10:15:00');
    expect(doc.dateText).toEqual({ correspondenceDate: '27/11/2569', sendDate: '27/11/2569 10:15' });
    // An ISO date needs no evidence field.
    expect(decodeGovernmentDocument(letterXml('2026-11-27')).dateText).toBeUndefined();
  });

  it('keeps the text as written beside the parsed dates (notifiers)', () => {
    const item = decodeInboundResponse(
      soap(
        `<CorrespondenceLetterInboundResponse><ProcessID>P1</ProcessID><ProcessTime>2026-11-27T10:00:00</ProcessTime><AcceptLetterNotifier><LetterID>สพร 0105/1</LetterID><CorrespondenceDate>27/11/2569</CorrespondenceDate><Subject>s</Subject><AcceptID>12</AcceptID><AcceptDate>28/11/2569 09:00</AcceptDate><AcceptDepartment><Code>${DOPA}</Code></AcceptDepartment></AcceptLetterNotifier></CorrespondenceLetterInboundResponse>`,
      ),
    );
    expect(item?.kind).toBe('notifier');
    if (item?.kind !== 'notifier') return;
    expect(item.notifier.correspondenceDate).toBe('2026-11-27');
    expect(item.notifier.acceptDate).toBe('2026-11-28T09:00:00');
    expect(item.notifier.dateText).toEqual({
      correspondenceDate: '27/11/2569',
      acceptDate: '28/11/2569 09:00',
    });
  });

  it('a notifier with an impossible date is poison (typed), not a silently wrong date', () => {
    const item = decodeInboundResponse(
      soap(
        '<CorrespondenceLetterInboundResponse><ProcessID>P2</ProcessID><ReceiveLetterNotifier><LetterID>สพร 0105/1</LetterID><CorrespondenceDate>31/02/2569</CorrespondenceDate><Subject>s</Subject></ReceiveLetterNotifier></CorrespondenceLetterInboundResponse>',
      ),
    );
    expect(item?.kind).toBe('poison');
    if (item?.kind !== 'poison') return;
    expect(item.error.code).toBe('ERR_ECMS_MESSAGE');
  });

  it('reads ECMSTime written as a BE day-first date-time (Thailand local time)', () => {
    const d = decodeTimeCheckResponse(soap('<ECMSTime>27/11/2569 10:00:00</ECMSTime>'));
    expect(d.toISOString()).toBe('2026-11-27T03:00:00.000Z');
    expect(() => decodeTimeCheckResponse(soap('<ECMSTime>27/11/2569</ECMSTime>'))).toThrow(
      expect.objectContaining({ code: 'ERR_ECMS_MESSAGE' }),
    );
  });
});
