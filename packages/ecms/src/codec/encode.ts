import type { Element as XmlJsElement } from 'xml-js';
import { type CodeBook, DEFAULT_CODE_BOOK } from '../codes.js';
import { ecmsError } from '../errors.js';
import {
  ALLOWED_MIME_TYPES,
  type BinaryObject,
  type InboundItemKind,
  type Letter,
  type LetterInput,
  type LetterKey,
  letterKeySchema,
  letterSchema,
  NOTIFIER_ELEMENTS,
  type Notifier,
  notifierSchema,
  outgoingLetterSchema,
  type Party,
} from '../model.js';
import { XmlBuilder } from './build.js';
import { LETTER_ELEMENT, NS, REQUEST_ELEMENTS } from './names.js';

/** Options of `encodeGovernmentDocument`: the node's codes, whether top-secret letters may go, the MIME types accepted. */
export interface EncodeLetterOptions {
  /** Codes of the node (from GetSpeedCodes/GetSecretCodes); default the common 1–5 codes. */
  codes?: CodeBook;
  /** Send ลับที่สุด (top secret) letters electronically; the regulation forbids it, so default false. */
  allowTopSecret?: boolean;
  /** MIME types accepted for binaries; default `ALLOWED_MIME_TYPES`. */
  allowedMimeTypes?: readonly string[];
  /**
   * The letter was received, not written here (the inbox keeps it this way): its book number is written as the
   * sender wrote it, neither normalised nor checked for format characters. Default false: a letter this agency
   * sends (`outgoingLetterSchema`).
   */
  received?: boolean;
}

/** The WS-Addressing headers of a request: `wsa:To` and the message ID. */
export interface EnvelopeHeader {
  /** `wsa:To`: the destination node's endpoint URL (for service calls, the own node's). */
  to: string;
  /** `wsa:MessageID`; default a fresh `uuid:`. */
  messageId?: string;
}

/** One request `encodeRequest` can write, by operation (send, notifiers, fetch, dequeue, directory, time check…). */
export type EcmsRequest =
  | { op: 'sendLetter'; letter: LetterInput }
  /** A document already serialized (and signed): inserted byte for byte. */
  | { op: 'sendDocument'; documentXml: Uint8Array }
  | { op: 'notifier'; notifier: Notifier }
  | { op: 'fetchNext' }
  | { op: 'dequeue'; processId: string }
  | { op: 'reRequest'; kind: InboundItemKind; key: LetterKey }
  | { op: 'withdraw'; key: LetterKey }
  | { op: 'outboundStatus' }
  | { op: 'ministries' }
  | { op: 'organizations' }
  | { op: 'secretCodes' }
  | { op: 'speedCodes' }
  | { op: 'mimeCodes' }
  | { op: 'timeCheck' };

/**
 * Validates a letter input (zod) and returns the normalised letter or a typed ERR_ECMS_MESSAGE. A letter to send
 * gets its book number normalised and checked (`outgoingLetterSchema`); `received`: as the sender wrote it.
 */
export function parseLetter(input: LetterInput, options: { received?: boolean } = {}): Letter {
  const r = (options.received ? letterSchema : outgoingLetterSchema).safeParse(input);
  if (!r.success) {
    const first = r.error.issues[0];
    throw ecmsError(
      'ERR_ECMS_MESSAGE',
      `Invalid letter at ${first?.path.join('.') || '(root)'}: ${first?.message ?? 'invalid'}`,
      { cause: r.error },
    );
  }
  return r.data;
}

function checkBinary(b: BinaryObject, allowed: readonly string[], where: string): void {
  if (!allowed.includes(b.mimeCode.toLowerCase())) {
    throw ecmsError('ERR_ECMS_MIME', `${where}: MIME type ${b.mimeCode} is not allowed`);
  }
}

function party(x: XmlBuilder, name: string, p: Party): XmlJsElement {
  return x.el(name, undefined, [
    x.textAlways('ram:GivenName', p.givenName),
    x.textAlways('ram:FamilyName', p.familyName),
    x.textAlways('ram:JobTitle', p.jobTitle),
    x.el('ram:MinistryOrganization', undefined, x.text('ram:ID', p.ministryId ?? p.departmentId.slice(0, 2))),
    x.el('ram:DepartmentOrganization', undefined, x.text('ram:ID', p.departmentId)),
  ]);
}

/** `rsm:GovernmentDocument` as an element (namespaces declared on it, so it can travel alone and be signed). */
export function governmentDocumentElement(
  x: XmlBuilder,
  input: LetterInput,
  options: EncodeLetterOptions & { withSignatureBlock?: boolean } = {},
): XmlJsElement {
  const letter = parseLetter(input, { received: options.received === true });
  if (letter.secrecy === 'top_secret' && !options.allowTopSecret) {
    throw ecmsError(
      'ERR_ECMS_SECRECY',
      'Top-secret (ลับที่สุด) letters must not travel electronically; set allowTopSecret to override',
    );
  }
  const codes = options.codes ?? DEFAULT_CODE_BOOK;
  const allowed = options.allowedMimeTypes ?? ALLOWED_MIME_TYPES;
  checkBinary(letter.mainLetter, allowed, 'mainLetter');
  for (const [i, a] of letter.attachments.entries()) checkBinary(a, allowed, `attachments[${i}]`);
  const body: XmlJsElement[] = [
    ...x.text('ram:ID', letter.id),
    ...x.text('ram:CorrespondenceDate', letter.correspondenceDate),
    ...x.text('ram:Subject', letter.subject),
    ...x.text('ram:SecretCode', codes.secrecy[letter.secrecy]),
    ...x.text('ram:SpeedCode', codes.speed[letter.speed]),
    party(x, 'ram:SenderParty', letter.sender),
    party(x, 'ram:ReceiverParty', letter.receiver),
    ...letter.references.map((r) =>
      x.el('ram:ReferenceCorrespondence', undefined, [
        ...x.text('ram:ID', r.id),
        ...x.text('ram:CorrespondenceDate', r.correspondenceDate),
        ...x.text('ram:Subject', r.subject),
      ]),
    ),
    x.textAlways('ram:Attachment', letter.enclosures),
    ...x.text('ram:SendDate', letter.sendDate),
    x.textAlways('ram:Description', letter.description),
    x.base64('ram:MainLetterBinaryObject', letter.mainLetter.content, {
      mimeCode: letter.mainLetter.mimeCode,
    }),
    ...letter.attachments.map((a) =>
      x.base64('ram:AttachmentBinaryObject', a.content, { mimeCode: a.mimeCode }),
    ),
  ];
  const children: XmlJsElement[] = [x.el('ram:CorrespondenceLetter', { ID: 'Letter' }, body)];
  if (letter.signature || options.withSignatureBlock) {
    const s = letter.signature?.signer ?? {};
    children.push(
      x.el('ram:GovernmentSignature', undefined, [
        x.textAlways(
          'ram:TypeCode',
          letter.signature?.typeCode ?? (options.withSignatureBlock ? 'XMLDSig' : undefined),
        ),
        x.el('ram:SignerParty', undefined, [
          x.textAlways('ram:GivenName', s.givenName),
          x.textAlways('ram:FamilyName', s.familyName),
          x.textAlways('ram:Title', s.title),
          x.textAlways('ram:MinistryCode', s.ministryCode),
          x.textAlways('ram:DepartmentCode', s.departmentCode),
        ]),
      ]),
    );
  }
  return x.el('rsm:GovernmentDocument', { 'xmlns:rsm': NS.rsm, 'xmlns:ram': NS.ram }, children);
}

/** The letter alone (no envelope, no XML declaration): what is signed and what a node relays. */
export function encodeGovernmentDocument(
  letter: LetterInput,
  options: EncodeLetterOptions & { withSignatureBlock?: boolean } = {},
): Buffer {
  const x = new XmlBuilder();
  return x.toBuffer(governmentDocumentElement(x, letter, options), false);
}

function keyElements(x: XmlBuilder, key: LetterKey): XmlJsElement[] {
  const k = letterKeySchema.parse(key);
  return [
    ...x.text('LetterID', k.letterId),
    ...x.text('CorrespondenceDate', k.correspondenceDate),
    x.el('SenderDepartment', undefined, x.text('Code', k.senderDepartmentId)),
    x.el('AcceptDepartment', undefined, x.text('Code', k.acceptDepartmentId)),
  ];
}

/** A notifier element (as in a request body or a queued item). */
export function notifierElement(x: XmlBuilder, input: Notifier): XmlJsElement {
  const r = notifierSchema.safeParse(input);
  if (!r.success) {
    const first = r.error.issues[0];
    throw ecmsError(
      'ERR_ECMS_MESSAGE',
      `Invalid notifier at ${first?.path.join('.') || '(root)'}: ${first?.message}`,
      {
        cause: r.error,
      },
    );
  }
  const n = r.data;
  return x.el(NOTIFIER_ELEMENTS[n.kind], undefined, [
    ...x.text('LetterID', n.letterId),
    ...x.text('AcceptID', n.acceptId),
    ...x.text('CorrespondenceDate', n.correspondenceDate),
    ...x.text('Subject', n.subject),
    ...x.text('AcceptDate', n.acceptDate),
    ...(n.senderDepartmentId
      ? [x.el('SenderDepartment', undefined, x.text('Code', n.senderDepartmentId))]
      : []),
    ...(n.acceptDepartmentId
      ? [x.el('AcceptDepartment', undefined, x.text('Code', n.acceptDepartmentId))]
      : []),
  ]);
}

function requestBody(x: XmlBuilder, req: EcmsRequest, options: EncodeLetterOptions): XmlJsElement {
  switch (req.op) {
    case 'sendLetter':
      return x.el(REQUEST_ELEMENTS.outbound, undefined, [governmentDocumentElement(x, req.letter, options)]);
    case 'sendDocument':
      return x.el(REQUEST_ELEMENTS.outbound, undefined, [x.raw(req.documentXml)]);
    case 'notifier':
      return x.el(REQUEST_ELEMENTS.outbound, undefined, [notifierElement(x, req.notifier)]);
    case 'fetchNext':
      return x.el(REQUEST_ELEMENTS.inbound);
    case 'dequeue':
      if (!req.processId.trim()) throw ecmsError('ERR_ECMS_MESSAGE', 'processId is empty');
      return x.el(REQUEST_ELEMENTS.dequeue, undefined, x.text('ProcessID', req.processId));
    case 'reRequest': {
      const kind = req.kind === 'letter' ? LETTER_ELEMENT : NOTIFIER_ELEMENTS[req.kind];
      return x.el(REQUEST_ELEMENTS.inboundSpecial, undefined, [
        x.el(kind, undefined, keyElements(x, req.key)),
      ]);
    }
    case 'withdraw':
      return x.el(REQUEST_ELEMENTS.withdraw, undefined, keyElements(x, req.key));
    case 'outboundStatus':
      return x.el(REQUEST_ELEMENTS.outboundStatus);
    case 'ministries':
      return x.el(REQUEST_ELEMENTS.ministries);
    case 'organizations':
      return x.el(REQUEST_ELEMENTS.organizations);
    case 'secretCodes':
      return x.el(REQUEST_ELEMENTS.secretCodes);
    case 'speedCodes':
      return x.el(REQUEST_ELEMENTS.speedCodes);
    case 'mimeCodes':
      return x.el(REQUEST_ELEMENTS.mimeCodes);
    case 'timeCheck':
      return x.el(REQUEST_ELEMENTS.timeCheck);
  }
}

/** A complete SOAP 1.1 request: envelope, WS-Addressing header, body. */
export function encodeRequest(
  req: EcmsRequest,
  header: EnvelopeHeader,
  options: EncodeLetterOptions = {},
): Buffer {
  const x = new XmlBuilder();
  const body = requestBody(x, req, options);
  const envelope = x.el('soap:Envelope', { 'xmlns:soap': NS.soap, 'xmlns:wsa': NS.wsa }, [
    x.el('soap:Header', undefined, [
      ...x.text('wsa:MessageID', header.messageId ?? `uuid:${crypto.randomUUID()}`),
      ...x.text('wsa:To', header.to),
    ]),
    x.el('soap:Body', undefined, [body]),
  ]);
  return x.toBuffer(envelope);
}
