import { redactPreview } from '@thgov/core';
import { type CodeBook, DEFAULT_CODE_BOOK, secrecyFromCode, speedFromCode } from '../codes.js';
import { ecmsError } from '../errors.js';
import {
  ALLOWED_MIME_TYPES,
  type BinaryObject,
  type DateText,
  type Letter,
  letterSchema,
  NOTIFIER_ELEMENTS,
  type Notifier,
  type NotifierKind,
  notifierSchema,
  type Party,
  type PoisonLetterKey,
} from '../model.js';
import { resolveLimits, type XmlLimits } from '../xml/limits.js';
import {
  attribute,
  charFromReference,
  child,
  childrenNamed,
  descendantsNamed,
  fieldBase64,
  fieldText,
  nameKey,
  type ParsedXml,
  parseXml,
  soleChild,
  type XmlNode,
} from '../xml/tree.js';
import { agencyDateOnly, agencyDateOrDateTime } from './dates.js';
import { LETTER_ELEMENT } from './names.js';

/** Options of the decoders: the node's code book and the XML limits. */
export interface DecodeOptions {
  codes?: CodeBook;
  limits?: Partial<XmlLimits>;
  allowedMimeTypes?: readonly string[];
  /**
   * The HTTP Content-Type the bytes came with: its charset (TIS-620, windows-874…) is honoured. Without one,
   * a byte-order mark or the XML declaration's `encoding` decides, else UTF-8; bytes not valid in that
   * encoding are refused (ERR_ECMS_XML).
   */
  contentType?: string;
}

/** The letter element inside a GovernmentDocument. */
export const CORRESPONDENCE_LETTER = 'CorrespondenceLetter';

const KIND_BY_KEY: Record<string, NotifierKind> = Object.fromEntries(
  Object.entries(NOTIFIER_ELEMENTS).map(([k, v]) => [nameKey(v), k as NotifierKind]),
);

/** The notifier kind an element stands for (tolerant name fold), or undefined. */
export function notifierKindOf(node: XmlNode): NotifierKind | undefined {
  return KIND_BY_KEY[node.key];
}

/** Whether an element is a queue item: a letter (GovernmentDocument) or a notifier. */
export function isItemElement(node: XmlNode): boolean {
  return node.key === nameKey(LETTER_ELEMENT) || notifierKindOf(node) !== undefined;
}

export function messageError(message: string): Error {
  return ecmsError('ERR_ECMS_MESSAGE', message);
}

const DOUBLE_ESCAPED = /&(lt|gt|amp|quot|apos|#\d{1,10}|#[xX][0-9a-fA-F]{1,8});/;
const DOUBLE_ESCAPED_ALL = new RegExp(DOUBLE_ESCAPED.source, 'g');
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * Some clients escape ID/Subject twice ("&amp;lt;"): undo one level when that is visible. A character
 * reference that names no XML character (`&amp;#9999999;`, NUL, a surrogate) is a typed ERR_ECMS_XML.
 */
export function undoDoubleEscape(s: string): string {
  if (!DOUBLE_ESCAPED.test(s)) return s;
  return s.replace(DOUBLE_ESCAPED_ALL, (_m, e: string) => NAMED[e] ?? charFromReference(e, 'a field'));
}

export function required(parsed: ParsedXml, node: XmlNode | undefined, local: string, where: string): string {
  const v = fieldText(parsed, soleChild(parsed, node, local));
  if (!v) throw messageError(`${where}: required <${local}> is missing or empty`);
  return v;
}

export function optional(parsed: ParsedXml, node: XmlNode | undefined, local: string): string | undefined {
  const v = fieldText(parsed, soleChild(parsed, node, local));
  return v ? v : undefined;
}

/** A date-only field as peers write it (ISO, d/M/yyyy, Buddhist era; rule in `dates.ts`), as yyyy-MM-dd. */
export function normaliseDate(value: string, where: string): string {
  return agencyDateOnly(value, where);
}

/** The date texts that differ from their normalised value (evidence kept beside the parsed dates). */
function writtenDates(
  fields: Partial<Record<keyof DateText, [string | undefined, string | undefined]>>,
): DateText | undefined {
  let out: DateText | undefined;
  for (const [k, [text, value]] of Object.entries(fields) as [keyof DateText, [string?, string?]][]) {
    if (text !== undefined && text !== value) {
      out ??= {};
      out[k] = text;
    }
  }
  return out;
}

/** A date or date-time field as peers write it, normalised (rule in `dates.ts`). */
export function normaliseDateTime(value: string, where: string): string {
  return agencyDateOrDateTime(value, where);
}

function departmentOf(parsed: ParsedXml, party: XmlNode | undefined): string | undefined {
  return fieldText(parsed, soleChild(parsed, soleChild(parsed, party, 'DepartmentOrganization'), 'ID'));
}

function decodeParty(parsed: ParsedXml, node: XmlNode | undefined, where: string): Party {
  if (!node) throw messageError(`${where} is missing`);
  const departmentId = departmentOf(parsed, node);
  if (!departmentId || !/^\d{10}$/.test(departmentId)) {
    throw messageError(`${where}: DepartmentOrganization/ID must be a 10-digit department code`);
  }
  const p: Party = { departmentId };
  const given = optional(parsed, node, 'GivenName');
  const family = optional(parsed, node, 'FamilyName');
  const job = optional(parsed, node, 'JobTitle');
  const ministry = fieldText(
    parsed,
    soleChild(parsed, soleChild(parsed, node, 'MinistryOrganization'), 'ID'),
  );
  if (given) p.givenName = given;
  if (family) p.familyName = family;
  if (job) p.jobTitle = job;
  if (ministry) p.ministryId = ministry;
  return p;
}

function sniffMime(bytes: Uint8Array): string | undefined {
  const b = bytes;
  if (b[0] === 0x25 && b[1] === 0x50 && b[2] === 0x44 && b[3] === 0x46) return 'application/pdf';
  if (b[0] === 0x50 && b[1] === 0x4b) return 'application/zip';
  if (b[0] === 0xff && b[1] === 0xd8) return 'image/jpeg';
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'image/png';
  return undefined;
}

/** Mach-O magic numbers (32/64-bit, either byte order), read big-endian from the first four bytes. */
const MACH_O = [0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe];

/**
 * The kind of program `bytes` recognisably is (a Windows PE image, ELF, Mach-O), or undefined. The MIME
 * allow-list keeps programs out only if a declared type cannot smuggle one in, so the bytes are checked too.
 * A PE image needs its `PE\0\0` signature where the DOS header points, so a text that merely starts with "MZ"
 * is not taken for one.
 */
function programKind(b: Uint8Array): string | undefined {
  if (b.length < 4) return undefined;
  const view = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  if (view.readUInt32BE(0) === 0x7f454c46) return 'an ELF program';
  if (MACH_O.includes(view.readUInt32BE(0))) return 'a Mach-O program';
  if (view.length < 0x40 || view.toString('latin1', 0, 2) !== 'MZ') return undefined;
  const pe = view.readUInt32LE(0x3c);
  return pe + 4 <= view.length && view.readUInt32BE(pe) === 0x50450000 ? 'a Windows program' : undefined;
}

function decodeBinary(
  parsed: ParsedXml,
  node: XmlNode,
  allowed: readonly string[],
  where: string,
): BinaryObject {
  const content = fieldBase64(parsed, node);
  const program = programKind(content);
  if (program)
    throw ecmsError('ERR_ECMS_MIME', `${where}: the content is ${program}, whatever its declared type`);
  const declared = (attribute(node, 'mimeCode') ?? '').split(';')[0]?.trim().toLowerCase();
  const mimeCode = declared || sniffMime(content);
  if (!mimeCode)
    throw ecmsError('ERR_ECMS_MIME', `${where}: no mimeCode and the content type is not recognisable`);
  if (!/^[a-z0-9.+-]+\/[a-z0-9.+-]+$/.test(mimeCode) || !allowed.includes(mimeCode)) {
    throw ecmsError('ERR_ECMS_MIME', `${where}: MIME type ${redactPreview(mimeCode, 80)} is not allowed`);
  }
  return { mimeCode, content };
}

/**
 * An attachment element that carries nothing: no content and no mimeCode (`<ram:AttachmentBinaryObject/>`, as
 * hand-concatenating clients write for "no attachment"). Skipped rather than refusing the whole letter. One with
 * a mimeCode but no content is kept, as the zero-byte file the sender declared.
 */
function isEmptyBinary(node: XmlNode): boolean {
  return !(attribute(node, 'mimeCode') ?? '').trim() && node.children.length === 0 && node.text.trim() === '';
}

/**
 * The one letter element of a GovernmentDocument. A second one anywhere in the document (a sibling, inside a
 * wrapper, inside the signature block) is refused: with two, a verifier and a reader could look at different
 * letters (signature wrapping).
 */
export function soleLetterElement(doc: XmlNode): XmlNode {
  const letters = descendantsNamed(doc, CORRESPONDENCE_LETTER);
  if (letters.length === 0) throw messageError('GovernmentDocument without CorrespondenceLetter');
  const [only] = letters;
  if (letters.length > 1 || !only || !doc.children.includes(only)) {
    throw messageError(
      `GovernmentDocument must hold exactly one CorrespondenceLetter, as its child (found ${letters.length})`,
    );
  }
  return only;
}

const REFERENCE_FIELDS = ['ID', 'CorrespondenceDate', 'Subject'];

/**
 * The letters referred to (อ้างถึง). A `ReferenceCorrespondence` with none of its fields filled in — what a
 * client's template writes when nothing is referred to — is no reference; one partly filled in is refused.
 */
function references(parsed: ParsedXml, l: XmlNode): Letter['references'] {
  return childrenNamed(l, 'ReferenceCorrespondence').flatMap((r, i) => {
    if (REFERENCE_FIELDS.every((f) => !fieldText(parsed, child(r, f))?.trim())) return [];
    return [
      {
        id: undoDoubleEscape(required(parsed, r, 'ID', `ReferenceCorrespondence[${i}]`)),
        correspondenceDate: normaliseDate(
          required(parsed, r, 'CorrespondenceDate', `ReferenceCorrespondence[${i}]`),
          `ReferenceCorrespondence[${i}]/CorrespondenceDate`,
        ),
        subject: undoDoubleEscape(required(parsed, r, 'Subject', `ReferenceCorrespondence[${i}]`)),
      },
    ];
  });
}

/** A `CorrespondenceLetter` element into the letter's fields (not yet schema-checked, no signature block). */
export function decodeCorrespondenceLetter(
  parsed: ParsedXml,
  l: XmlNode,
  options: DecodeOptions = {},
): Letter {
  const codes = options.codes ?? DEFAULT_CODE_BOOK;
  const allowed = options.allowedMimeTypes ?? ALLOWED_MIME_TYPES;
  const where = CORRESPONDENCE_LETTER;
  const main = soleChild(parsed, l, 'MainLetterBinaryObject');
  if (!main) throw messageError(`${where}: required <MainLetterBinaryObject> is missing`);
  const secretCode = optional(parsed, l, 'SecretCode');
  const speedCode = optional(parsed, l, 'SpeedCode');
  const sendDate = optional(parsed, l, 'SendDate');
  const correspondenceDate = required(parsed, l, 'CorrespondenceDate', where);
  const letter: Letter = {
    id: undoDoubleEscape(required(parsed, l, 'ID', where)),
    correspondenceDate: normaliseDate(correspondenceDate, `${where}/CorrespondenceDate`),
    subject: undoDoubleEscape(required(parsed, l, 'Subject', where)),
    secrecy: secretCode ? secrecyFromCode(secretCode, codes) : 'normal',
    speed: speedCode ? speedFromCode(speedCode, codes) : 'normal',
    sender: decodeParty(parsed, soleChild(parsed, l, 'SenderParty'), `${where}/SenderParty`),
    receiver: decodeParty(parsed, soleChild(parsed, l, 'ReceiverParty'), `${where}/ReceiverParty`),
    references: references(parsed, l),
    mainLetter: decodeBinary(parsed, main, allowed, 'MainLetterBinaryObject'),
    attachments: childrenNamed(l, 'AttachmentBinaryObject').flatMap((a, i) =>
      isEmptyBinary(a) ? [] : [decodeBinary(parsed, a, allowed, `AttachmentBinaryObject[${i}]`)],
    ),
  };
  const enclosures = optional(parsed, l, 'Attachment');
  const description = optional(parsed, l, 'Description');
  if (enclosures) letter.enclosures = enclosures;
  if (description) letter.description = description;
  if (sendDate) letter.sendDate = normaliseDateTime(sendDate, `${where}/SendDate`);
  const dateText = writtenDates({
    correspondenceDate: [correspondenceDate, letter.correspondenceDate],
    sendDate: [sendDate, letter.sendDate],
  });
  if (dateText) letter.dateText = dateText;
  return letter;
}

/** The (unsigned) metadata of `ram:GovernmentSignature`: signature type and the signer's name and codes. */
function signatureBlock(parsed: ParsedXml, doc: XmlNode): Letter['signature'] {
  const sig = child(doc, 'GovernmentSignature');
  if (!sig) return undefined;
  const sp = child(sig, 'SignerParty');
  const signer = {
    givenName: optional(parsed, sp, 'GivenName'),
    familyName: optional(parsed, sp, 'FamilyName'),
    title: optional(parsed, sp, 'Title'),
    ministryCode: optional(parsed, sp, 'MinistryCode'),
    departmentCode: optional(parsed, sp, 'DepartmentCode'),
  };
  const clean = Object.fromEntries(Object.entries(signer).filter(([, v]) => v !== undefined));
  const typeCode = optional(parsed, sig, 'TypeCode');
  return {
    ...(typeCode ? { typeCode } : {}),
    ...(Object.keys(clean).length ? { signer: clean } : {}),
  };
}

/** Schema check of a decoded letter: a typed ERR_ECMS_MESSAGE that names the first bad field. */
export function checkLetter(letter: Letter): Letter {
  const checked = letterSchema.safeParse(letter);
  if (!checked.success) {
    const first = checked.error.issues[0];
    throw messageError(
      `Invalid letter at ${first?.path.join('.') || '(root)'}: ${first?.message ?? 'invalid'}`,
    );
  }
  return checked.data;
}

/**
 * A `GovernmentDocument` element into a validated `Letter`. `letterSource`, when given, is the letter element
 * to read instead of the document's own child: the bytes a signature covered (see `decodeInboundResponse`).
 */
export function decodeLetterNode(
  parsed: ParsedXml,
  doc: XmlNode,
  options: DecodeOptions = {},
  letterSource?: { parsed: ParsedXml; node: XmlNode },
): Letter {
  const own = soleLetterElement(doc);
  const source = letterSource ?? { parsed, node: own };
  const letter = decodeCorrespondenceLetter(source.parsed, source.node, options);
  const signature = signatureBlock(parsed, doc);
  if (signature) letter.signature = signature;
  return checkLetter(letter);
}

/** A standalone `rsm:GovernmentDocument` (as relayed or stored). */
export function decodeGovernmentDocument(input: string | Uint8Array, options: DecodeOptions = {}): Letter {
  const parsed = parseXml(input, resolveLimits(options.limits), options.contentType);
  if (parsed.root.key !== nameKey(LETTER_ELEMENT)) {
    throw ecmsError('ERR_ECMS_XML', `Expected GovernmentDocument, got <${parsed.root.local}>`);
  }
  return decodeLetterNode(parsed, parsed.root, options);
}

export function deptCode(parsed: ParsedXml, node: XmlNode | undefined, local: string): string | undefined {
  const c = soleChild(parsed, node, local);
  if (!c) return undefined;
  return fieldText(parsed, soleChild(parsed, c, 'Code')) || fieldText(parsed, c) || undefined;
}

export function decodeNotifierNode(parsed: ParsedXml, node: XmlNode): Notifier {
  const kind = notifierKindOf(node);
  if (!kind) throw messageError(`<${node.local}> is not a notifier`);
  const acceptDate = optional(parsed, node, 'AcceptDate');
  const correspondenceDate = required(parsed, node, 'CorrespondenceDate', node.local);
  const n: Notifier = {
    kind,
    letterId: undoDoubleEscape(required(parsed, node, 'LetterID', node.local)),
    correspondenceDate: normaliseDate(correspondenceDate, `${node.local}/CorrespondenceDate`),
    subject: undoDoubleEscape(required(parsed, node, 'Subject', node.local)),
  };
  const acceptId = optional(parsed, node, 'AcceptID');
  if (acceptId) n.acceptId = undoDoubleEscape(acceptId);
  if (acceptDate) n.acceptDate = normaliseDateTime(acceptDate, `${node.local}/AcceptDate`);
  const dateText = writtenDates({
    correspondenceDate: [correspondenceDate, n.correspondenceDate],
    acceptDate: [acceptDate, n.acceptDate],
  });
  if (dateText) n.dateText = dateText;
  const acc = deptCode(parsed, node, 'AcceptDepartment');
  const snd = deptCode(parsed, node, 'SenderDepartment');
  if (acc) n.acceptDepartmentId = acc;
  if (snd) n.senderDepartmentId = snd;
  const r = notifierSchema.safeParse(n);
  if (!r.success) {
    const first = r.error.issues[0];
    throw messageError(`Invalid ${node.local} at ${first?.path.join('.') || '(root)'}: ${first?.message}`);
  }
  return r.data;
}

/**
 * Reads the key of the first letter in a document that cannot be decoded as a whole, so the sender can still
 * be told (InvalidLetterNotifier). Undefined when any part of the key is unreadable.
 */
export function salvageLetterKey(parsed: ParsedXml, doc: XmlNode): PoisonLetterKey | undefined {
  try {
    const l = descendantsNamed(doc, CORRESPONDENCE_LETTER)[0];
    if (!l) return undefined;
    const senderDepartmentId = departmentOf(parsed, child(l, 'SenderParty'));
    if (!senderDepartmentId || !/^\d{10}$/.test(senderDepartmentId)) return undefined;
    return {
      letterId: undoDoubleEscape(required(parsed, l, 'ID', CORRESPONDENCE_LETTER)).slice(0, 200),
      correspondenceDate: normaliseDate(required(parsed, l, 'CorrespondenceDate', CORRESPONDENCE_LETTER), ''),
      subject: undoDoubleEscape(required(parsed, l, 'Subject', CORRESPONDENCE_LETTER)).slice(0, 2000),
      senderDepartmentId,
    };
  } catch {
    return undefined;
  }
}

/** Sender department of a letter element (signer policies bind signers to it). */
export function senderDepartmentOf(parsed: ParsedXml, letter: XmlNode): string | undefined {
  return departmentOf(parsed, soleChild(parsed, letter, 'SenderParty'));
}
