import { type LetterRecord, newLetterRecord } from '../../src/index.js';

let journalled = 0;

/** A new inbound journal record (stored, with a tiny document), numbered so each is a different letter. */
export function inboundRecord(extra: Partial<LetterRecord> = {}): LetterRecord {
  journalled++;
  return newLetterRecord({
    direction: 'inbound',
    state: 'stored',
    letterId: `สพร 0105/${journalled}`,
    correspondenceDate: '2026-11-27',
    subject: `เรื่องที่ ${journalled}`,
    senderDepartmentId: '0031500001',
    receiverDepartmentId: '1500300001',
    processId: `P-${journalled}-${crypto.randomUUID()}`,
    document: Buffer.from([0, 1, 2, 255]),
    ...extra,
  });
}
