import type { ThGovError } from '@thgov/core';
import { z } from '@thgov/core/internal';
import type { SignatureEvidence } from './signature/evidence.js';

/** Speed (ชั้นความเร็ว) as named values; the wire code comes from the node's code list at run time. */
export const SPEEDS = ['normal', 'urgent', 'very_urgent', 'most_urgent'] as const;
/** Speed (ชั้นความเร็ว) as a named value (`SPEEDS`). */
export type Speed = (typeof SPEEDS)[number];
/** Secrecy (ชั้นความลับ) as named values; `top_secret` (ลับที่สุด) is refused unless explicitly allowed. */
export const SECRECIES = ['normal', 'confidential', 'secret', 'top_secret', 'personal'] as const;
/** Secrecy (ชั้นความลับ) as a named value (`SECRECIES`). */
export type Secrecy = (typeof SECRECIES)[number];

/** The saraban regulation's six letter types: SDK metadata only, e-CMS carries no such field. */
export const LETTER_TYPES = [
  'external',
  'internal',
  'stamped',
  'directive',
  'public_relations',
  'record',
] as const;
/** The saraban regulation's letter types (SDK metadata: e-CMS carries no such field). */
export type LetterType = (typeof LETTER_TYPES)[number];

/** 10-digit department code (รหัสหน่วยงาน); the ministry code is its first two characters. */
export const departmentIdSchema = z.string().regex(/^\d{10}$/, 'a department code has 10 digits');
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date is yyyy-MM-dd')
  .refine((s) => isCalendarDate(s), 'not a calendar date');
const isoDateOrDateTime = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?)?$/,
    'yyyy-MM-dd or yyyy-MM-ddTHH:mm:ss',
  )
  .refine((s) => isCalendarDate(s.slice(0, 10)), 'not a calendar date');
const text = (max: number) => z.string().max(max);
/**
 * Decoded items only: date fields exactly as the peer wrote them, when that text differs from the normalised
 * value (a Buddhist-era or day-first date, a time zone…): evidence beside the parsed date. Never encoded.
 */
const dateTextSchema = z
  .object({
    correspondenceDate: z.string().max(64).optional(),
    sendDate: z.string().max(64).optional(),
    acceptDate: z.string().max(64).optional(),
  })
  .strict();
/** Date fields exactly as the peer wrote them, where that differs from the normalised value (decoded letters only). */
export type DateText = z.infer<typeof dateTextSchema>;
const requiredText = (max: number) => z.string().trim().min(1).max(max);

export function isCalendarDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const dt = new Date(Date.UTC(y, mo - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d;
}

/** zod schema of a sender or receiver. */
export const partySchema = z
  .object({
    givenName: text(200).optional(),
    familyName: text(200).optional(),
    jobTitle: text(500).optional(),
    /** Defaults to the first two characters of `departmentId`. */
    ministryId: z.string().min(1).max(20).optional(),
    departmentId: departmentIdSchema,
  })
  .strict();
/** A sender or receiver: the person, their position and their department. */
export type Party = z.infer<typeof partySchema>;

export const letterReferenceSchema = z
  .object({ id: requiredText(200), correspondenceDate: isoDate, subject: requiredText(2000) })
  .strict();
/** A reference to an earlier letter (อ้างถึง). */
export type LetterReference = z.infer<typeof letterReferenceSchema>;

/** MIME types seen on e-CMS: pdf, Office, rtf, txt, zip, images. */
export const ALLOWED_MIME_TYPES = [
  'application/pdf',
  'application/msword',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/rtf',
  'text/rtf',
  'text/plain',
  'application/zip',
  'application/x-zip-compressed',
  'image/jpeg',
  'image/png',
  'image/bmp',
  'image/tiff',
] as const;

const bytesSchema = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected a Uint8Array');
export const binaryObjectSchema = z
  .object({
    mimeCode: z.string().regex(/^[A-Za-z0-9.+-]+\/[A-Za-z0-9.+-]+$/, 'a MIME type such as application/pdf'),
    content: bytesSchema,
    /** Optional file name (kept by the SDK, not on the wire). */
    fileName: z.string().max(255).optional(),
  })
  .strict();
/** A file carried in a letter (main letter or attachment): MIME type, name and content. */
export type BinaryObject = z.infer<typeof binaryObjectSchema>;

export const signerSchema = z
  .object({
    givenName: text(200).optional(),
    familyName: text(200).optional(),
    title: text(500).optional(),
    ministryCode: z.string().max(20).optional(),
    departmentCode: z.string().max(20).optional(),
  })
  .strict();
/** The person who signed a letter, as written in it. */
export type Signer = z.infer<typeof signerSchema>;

/** Unicode format characters (general category Cf): zero-width space and joiners, BOM, soft hyphen, bidi controls. */
const FORMAT_CHARACTERS = /\p{Cf}/u;

/**
 * A book number (ที่) as this SDK journals and sends it: Unicode NFC, every run of white space (spaces, tabs,
 * no-break and ideographic spaces, line breaks) one ASCII space, trimmed. Thai digits are kept as written.
 */
export function normalizeBookNumber(id: string): string {
  return id.normalize('NFC').replace(/\s+/g, ' ').trim();
}

/**
 * What two book numbers are compared on (the journal's natural key, outbound and inbound): the book number
 * without format characters (Cf), normalised (`normalizeBookNumber`), with Thai digits (๐–๙) as ASCII, so
 * `สพร ๑/๓`, `สพร 1/3 ` and `สพร\u00a01/3` name one letter. Only for comparing: what is sent is unchanged.
 */
export function bookNumberKey(id: string): string {
  return normalizeBookNumber(id.replace(/\p{Cf}/gu, '')).replace(/[\u0e50-\u0e59]/g, (d) =>
    String((d.codePointAt(0) as number) - 0x0e50),
  );
}

/**
 * A book number this agency sends: normalised (`normalizeBookNumber`), refused when it holds an invisible
 * format character (a zero-width space or joiner, a BOM, a soft hyphen, a bidi control), which would make a
 * number that looks the same and is another.
 */
export const bookNumberSchema = z
  .string()
  .refine(
    (s) => !FORMAT_CHARACTERS.test(s),
    'a book number must not hold invisible format characters (zero-width space or joiner, BOM, soft hyphen, direction marks)',
  )
  .overwrite(normalizeBookNumber)
  .min(1)
  .max(200);

/**
 * zod schema of a letter: what decoding produces (the book number as the sender wrote it, trimmed). What this
 * agency sends is checked with `outgoingLetterSchema`, which also normalises the book number.
 */
export const letterSchema = z
  .object({
    /** ที่: the book number, e.g. "นร 0105/1234". */
    id: requiredText(200),
    /** ลงวันที่ (Gregorian ISO date). */
    correspondenceDate: isoDate,
    /** เรื่อง */
    subject: requiredText(2000),
    secrecy: z.enum(SECRECIES).default('normal'),
    speed: z.enum(SPEEDS).default('normal'),
    sender: partySchema,
    /** เรียน */
    receiver: partySchema,
    /** อ้างถึง */
    references: z.array(letterReferenceSchema).max(100).default([]),
    /** สิ่งที่ส่งมาด้วย (free text). */
    enclosures: text(4000).optional(),
    sendDate: isoDateOrDateTime.optional(),
    description: text(10_000).optional(),
    mainLetter: binaryObjectSchema,
    attachments: z.array(binaryObjectSchema).max(200).default([]),
    signature: z
      .object({ typeCode: z.string().max(50).optional(), signer: signerSchema.optional() })
      .strict()
      .optional(),
    /** SDK metadata only (e-CMS carries external letters). */
    letterType: z.enum(LETTER_TYPES).optional(),
    dateText: dateTextSchema.optional(),
  })
  .strict();
/**
 * zod schema of a letter this agency sends (`sendLetter`, `encodeLetter`, the outbox): `letterSchema` with the
 * book number normalised and checked (`bookNumberSchema`). A received letter is read with `letterSchema`: its
 * book number stays as the sender wrote it.
 */
export const outgoingLetterSchema = letterSchema.extend({ id: bookNumberSchema });

/** A government letter (หนังสือราชการ) as decoded: parties, subject, speed, secrecy, files and signature. */
export type Letter = z.output<typeof letterSchema>;
/** A letter as an application writes it for `sendLetter` (defaults are filled in when encoded). */
export type LetterInput = z.input<typeof letterSchema>;

/** The five notifiers: received, accepted, rejected, invalid letter, invalid AcceptID. */
export const NOTIFIER_KINDS = ['receive', 'accept', 'reject', 'invalid', 'invalid_accept_id'] as const;
/** The five notifier kinds (`NOTIFIER_KINDS`). */
export type NotifierKind = (typeof NOTIFIER_KINDS)[number];

/** Wire element of each notifier kind. */
export const NOTIFIER_ELEMENTS: Record<NotifierKind, string> = {
  receive: 'ReceiveLetterNotifier',
  accept: 'AcceptLetterNotifier',
  reject: 'RejectLetterNotifier',
  invalid: 'InvalidLetterNotifier',
  invalid_accept_id: 'InvalidAcceptIDNotifier',
};

/** zod schema of a notifier. */
export const notifierSchema = z
  .object({
    kind: z.enum(NOTIFIER_KINDS),
    /** The letter's book number. */
    letterId: requiredText(200),
    correspondenceDate: isoDate,
    subject: requiredText(2000),
    /** เลขทะเบียนรับ: required for `accept` and `invalid_accept_id`. */
    acceptId: requiredText(100).optional(),
    acceptDate: isoDateOrDateTime.optional(),
    /** The receiving (registering) department. */
    acceptDepartmentId: departmentIdSchema.optional(),
    /** The letter's sender department (nodes add it to queued notifiers). */
    senderDepartmentId: departmentIdSchema.optional(),
    dateText: dateTextSchema.optional(),
  })
  .strict()
  .superRefine((n, ctx) => {
    if ((n.kind === 'accept' || n.kind === 'invalid_accept_id') && !n.acceptId) {
      ctx.addIssue({ code: 'custom', path: ['acceptId'], message: `${n.kind} needs an acceptId` });
    }
  });
/** A notifier about a letter: received, accepted (with the registration number), rejected or invalid. */
export type Notifier = z.infer<typeof notifierSchema>;

/** Identifies a letter for withdraw and re-request. */
export const letterKeySchema = z
  .object({
    letterId: requiredText(200),
    correspondenceDate: isoDate,
    senderDepartmentId: departmentIdSchema,
    acceptDepartmentId: departmentIdSchema,
  })
  .strict();
/** The fields that name one letter between two organisations (for withdraw and re-request). */
export type LetterKey = z.infer<typeof letterKeySchema>;

/** What a fetched queue item can be: a letter or one of the notifiers. */
export const INBOUND_ITEM_KINDS = ['letter', ...NOTIFIER_KINDS] as const;
/** What a fetched queue item is: a letter or one of the five notifiers. */
export type InboundItemKind = (typeof INBOUND_ITEM_KINDS)[number];

/** Acknowledgement a node gives for a request it queued. */
export interface ProcessAck {
  processId: string;
  /** As sent by the node (ISO-like local time). */
  processTime: string;
}

export interface SendLetterResult extends ProcessAck {
  /** The document as echoed by the node, when it echoes one that can be read. */
  echoedLetter: Letter | undefined;
  /** Why an echoed document could not be read (the send itself succeeded: it has a ProcessID). */
  echoError?: ThGovError;
}

export interface NotifierResult extends ProcessAck {
  acceptDate: string | undefined;
  acceptDepartmentId: string | undefined;
}

/** One item from the agency's own queue. */
export type InboundItem =
  | (ProcessAck & {
      kind: 'letter';
      letter: Letter;
      signature: SignatureInfo | undefined;
      /** The signature check of this item, when the fetch asked for one (`verify`). */
      verification: SignatureEvidence | undefined;
    })
  | (ProcessAck & { kind: 'notifier'; notifier: Notifier })
  | PoisonItem;

/**
 * A queue item that cannot be used: undecodable (malformed XML inside it, a missing field, a bad date or
 * base64…) or refused by the signature policy. It still has its ProcessID, so it can be kept as evidence and
 * dequeued instead of blocking the queue; the inbox worker does exactly that.
 */
export interface PoisonItem extends ProcessAck {
  kind: 'poison';
  /** Local name of the item element (`GovernmentDocument`, a notifier…), when it could be read. */
  element: string | undefined;
  /** Why the item cannot be used (`EcmsSignatureError` with a `reason` for a refused signature). */
  error: ThGovError;
  /** A letter's natural key when it could be read: where an InvalidLetterNotifier can go. */
  letterKey: PoisonLetterKey | undefined;
  /** The signature check, when the refusal came from it. */
  verification: SignatureEvidence | undefined;
}

/** What an InvalidLetterNotifier for a refused letter carries and is routed by. */
export interface PoisonLetterKey {
  letterId: string;
  correspondenceDate: string;
  subject: string;
  senderDepartmentId: string;
}

/** What the codec saw of a letter's XML-DSig signature. */
export interface SignatureInfo {
  present: boolean;
}

/** The status the node reports for one letter this agency sent. */
export interface OutboundStatusEntry {
  processId: string;
  letterId: string;
  /** The node's own status text. */
  processStatus: string;
  correspondenceDate: string | undefined;
  acceptDepartmentId: string | undefined;
}

/** A ministry in the node's directory: its ID and Thai name. */
export interface Ministry {
  ministryId: string;
  nameTh: string;
}

/** An organisation in the directory: its 10-digit ID, names and its e-CMS node URL. */
export interface Organization {
  organizationId: string;
  nameEn: string;
  nameTh: string;
  /** The organisation's e-CMS node endpoint: the `wsa:To` for letters to it. */
  ecmsUrl: string;
}

/** One entry of a node's code list (speed or secrecy): the code and its description. */
export interface CodeEntry {
  value: string;
  description: string;
}

/** One MIME type a node accepts, with its file extension. */
export interface MimeEntry {
  contentType: string;
  fileExtension: string;
}

/** `ErrorDetail` as a node sends it. */
export interface ErrorDetail {
  errorCode: string;
  errorDescription: string;
}
