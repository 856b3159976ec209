import {
  invalidArgument,
  type OperationOptions,
  type RawResponse,
  type ThGovError,
  Transport,
  type TransportOptions,
} from '@thgov/core';
import { transportOptionsShape, validateOptions, z } from '@thgov/core/internal';
import {
  decodeCodeListResponse,
  decodeDequeueResponse,
  decodeMimeListResponse,
  decodeMinistryListResponse,
  decodeNotifierResponse,
  decodeOrganizationListResponse,
  decodeOutboundStatusResponse,
  decodeSendLetterResponse,
  decodeTimeCheckResponse,
  decodeWithdrawResponse,
} from './codec/decode.js';
import { type EcmsRequest, encodeGovernmentDocument, encodeRequest } from './codec/encode.js';
import { decodeEnvelope } from './codec/envelope.js';
import { type DecodedInbound, decodeInboundItem, poisonItem } from './codec/inbound.js';
import type { DecodeOptions } from './codec/letter.js';
import { ENDPOINT_PATH, SOAP_CONTENT_TYPE } from './codec/names.js';
import { buildCodeBook, type CodeBook, DEFAULT_CODE_BOOK } from './codes.js';
import { EcmsFaultError, EcmsSignatureError, ecmsError } from './errors.js';
import { type ExchangeEvidence, sha256Hex } from './evidence.js';
import {
  ALLOWED_MIME_TYPES,
  type CodeEntry,
  departmentIdSchema,
  type InboundItem,
  type InboundItemKind,
  type LetterInput,
  type LetterKey,
  type MimeEntry,
  type Ministry,
  type Notifier,
  type NotifierResult,
  type Organization,
  type OutboundStatusEntry,
  type ProcessAck,
  type SendLetterResult,
} from './model.js';
import { failedEvidence, passedEvidence } from './signature/evidence.js';
import { type LetterVerification, letterVerificationSchema } from './signature/options.js';
import { type LetterSigningKey, signGovernmentDocument } from './signature/sign.js';
import { withParsedRevocation } from './signature/trust.js';
import { confirmSigner } from './signature/verify.js';
import { type XmlLimits, xmlLimitsSchema } from './xml/limits.js';
import { unpackMultipart } from './xml/mtom.js';

declare const __THGOV_PKG_NAME__: string;
declare const __THGOV_PKG_VERSION__: string;
const PKG = {
  name: typeof __THGOV_PKG_NAME__ === 'string' ? __THGOV_PKG_NAME__ : '@thgov/ecms',
  version: typeof __THGOV_PKG_VERSION__ === 'string' ? __THGOV_PKG_VERSION__ : '0.0.0-dev',
};

const { baseUrl: _baseUrl, ...transportShape } = transportOptionsShape;

const CREDENTIALS_REFUSED = 'must be a URL without credentials (user name or password)';
const FRAGMENT_REFUSED = 'must be a URL without a fragment (#…)';

/**
 * Whether an endpoint URL carries no user name or password. The transport never sends them (no basic
 * authentication is built from a URL), and the URL itself travels on: as `wsa:To` in the request body, in the
 * exchange evidence the outbox journals, as `client.nodeUrl`. A string that is not a URL passes (refused elsewhere).
 */
function withoutCredentials(url: string): boolean {
  try {
    const u = new URL(url);
    return u.username === '' && u.password === '';
  } catch {
    return true;
  }
}

/**
 * Whether an endpoint URL carries no fragment: it is never sent over HTTP (so it addresses nothing), yet would
 * travel as `wsa:To` into the body and the evidence, as credentials would. Not a URL: passes (refused elsewhere).
 */
function withoutFragment(url: string): boolean {
  try {
    return new URL(url).hash === '' && !url.includes('#');
  } catch {
    return true;
  }
}

/** Why a destination (`wsa:To`) cannot be used, or undefined. */
function destinationProblem(url: string): string | undefined {
  if (!withoutCredentials(url)) return CREDENTIALS_REFUSED;
  if (!withoutFragment(url)) return FRAGMENT_REFUSED;
  return undefined;
}

const ecmsClientOptionsSchema = z
  .object({
    ...transportShape,
    /** The agency's own e-CMS node: `https://ecms.example.go.th/ecms-ws01/service2` (the path is added when missing). */
    nodeUrl: z
      .string()
      .url()
      .refine(withoutCredentials, CREDENTIALS_REFUSED)
      .refine(withoutFragment, FRAGMENT_REFUSED),
    /** The agency's 10-digit department code. */
    organizationId: departmentIdSchema,
    /** Speed/secrecy codes; default the common codes until `loadCodeBook()` reads the node's lists. */
    codes: z.custom<CodeBook>((v) => typeof v === 'object' && v !== null).optional(),
    allowTopSecret: z.boolean().optional(),
    allowedMimeTypes: z.array(z.string()).optional(),
    xmlLimits: xmlLimitsSchema.optional(),
    /** Sign every outgoing letter with XML-DSig. */
    signingKey: z.object({ privateKey: z.any(), certificate: z.string() }).strict().optional(),
    /** Raw XML of every exchange (evidence), after each call. */
    onExchange: z.custom<(e: ExchangeEvidence) => void>((v) => typeof v === 'function').optional(),
    letterVerification: letterVerificationSchema.optional(),
  })
  .strict();

// Compile-time check (the schema's type names undici, which this package does not depend on, so a type test cannot
// import it): the schema validates exactly the keys EcmsClientOptions declares; a key on one side only fails here.
type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
true satisfies SameKeys<keyof z.input<typeof ecmsClientOptionsSchema>, keyof EcmsClientOptions>;

/**
 * Options of `EcmsClient`: the agency's own node, its organisation ID, letter signing and verification, plus the transport options.
 *
 * @example
 * ```ts
 * const options: EcmsClientOptions = {
 *   nodeUrl: 'https://ecms.example.go.th/ecms-ws01/service2',
 *   organizationId: '0031500001',
 * };
 * ```
 */
export interface EcmsClientOptions extends Omit<TransportOptions, 'baseUrl'> {
  /**
   * The agency's own e-CMS node: `https://ecms.example.go.th/ecms-ws01/service2` (the path is added when missing).
   * A URL with a user name or password, or with a fragment, is refused (ERR_INVALID_ARG): they would not be
   * sent, and the URL travels in every request body as `wsa:To` and in the exchange evidence. A query string
   * (`?apikey=…`, for a gateway in front of the node) is sent on the HTTP request line of every call only: it is
   * left out of `wsa:To`, the evidence and `client.nodeUrl`, and redacted in spans, logs and errors.
   */
  nodeUrl: string;
  /** The agency's 10-digit department code. */
  organizationId: string;
  /** Speed/secrecy codes; default the common codes until `loadCodeBook()` reads the node's lists. */
  codes?: CodeBook;
  /** Send ลับที่สุด (top secret) letters; the regulation keeps them off electronic channels. Default false. */
  allowTopSecret?: boolean;
  /** MIME types accepted for binaries; default `ALLOWED_MIME_TYPES`. */
  allowedMimeTypes?: string[];
  /** Hostile-XML limits for responses. */
  xmlLimits?: Partial<XmlLimits>;
  /** Sign every outgoing letter with XML-DSig. */
  signingKey?: LetterSigningKey;
  /** Raw XML of every exchange (evidence), after each call. */
  onExchange?: (e: ExchangeEvidence) => void;
  /**
   * Check the signature of every letter that `fetchNext` and `reRequest` return, per item; the default for
   * their `verify` option. Without it (and without `verify`) letters are decoded unverified.
   */
  letterVerification?: LetterVerification;
}

/** Options of `fetchNext` and `reRequest`: the signature policy and trust for the letters received. */
export interface FetchOptions extends OperationOptions {
  /** Signature policy and trust for the letters of this answer (default: the client's `letterVerification`). */
  verify?: LetterVerification;
}

/** Options of `sendLetter`: the destination node (default looked up), signing, and the call's abort signal. */
export interface SendLetterOptions extends OperationOptions {
  /**
   * Destination node endpoint (`wsa:To`); default looked up from the organisation list by the receiver's
   * department. One with a user name or password, or a fragment, is refused (ERR_INVALID_ARG), as is a listed one
   * (ERR_ECMS_MESSAGE). A query string is kept: it is part of the destination's address, which its own node uses.
   */
  to?: string;
  /** Sign this letter (default: when the client has a `signingKey`). */
  sign?: boolean;
}

/** Options of the notifiers: the destination node (default looked up) and the call's abort signal. */
export interface NotifyOptions extends OperationOptions {
  /**
   * Destination node endpoint; default looked up from the organisation list. Without credentials (see
   * `SendLetterOptions.to`).
   */
  to?: string;
}

/** Input of a notifier: the letter's natural key, plus the sender/receiver departments to route it. */
export type NotifierInput = Omit<Notifier, 'kind'>;

/** A result with the evidence of the exchange that produced it (request and response XML, hashes). */
export type WithExchange<T> = T & { exchange: ExchangeEvidence };

/** The node's clock as `timeCheck` reads it, and the skew from local time. */
export interface TimeCheckResult {
  nodeTime: Date;
  /** nodeTime minus local time at the midpoint of the call. */
  skewInMs: number;
}

/**
 * Client for the agency's own e-CMS node: every operation of the e-CMS web service, one method each.
 * Letters go out through the own node with `wsa:To` set to the destination's node; the inbox is pulled
 * from the own node. For durable, exactly-once handling use `EcmsOutbox` and `EcmsInboxWorker`.
 *
 * @example
 * ```ts
 * const client = new EcmsClient({
 *   nodeUrl: 'https://ecms.agency.go.th/ecms-ws01/service2', // the agency's own node
 *   organizationId: '0031500001',
 * });
 * await client.loadCodeBook();
 * const { skewInMs } = await client.timeCheck();
 * ```
 */
export class EcmsClient {
  readonly organizationId: string;
  /** The own node's endpoint as sent in `wsa:To`: the `nodeUrl` option without its query string. */
  readonly nodeUrl: string;
  #codes: CodeBook;
  readonly #transport: Transport;
  /** The endpoint's path and the node URL's query string, as sent on every request line. */
  readonly #path: string;
  readonly #options: EcmsClientOptions;
  readonly #limits: Partial<XmlLimits> | undefined;
  readonly #verification: LetterVerification | undefined;
  #organizations: Organization[] | undefined;

  constructor(options: EcmsClientOptions) {
    validateOptions(ecmsClientOptionsSchema, options, 'EcmsClient options');
    this.#options = options;
    this.organizationId = options.organizationId;
    const url = new URL(options.nodeUrl);
    if (url.pathname === '/' || url.pathname === '') url.pathname = ENDPOINT_PATH;
    // The query is the HTTP request's (a gateway's key), not the node's address: request line only.
    const query = url.search.replace(/\\/g, '%5C');
    url.search = '';
    this.nodeUrl = url.toString();
    const cut = url.pathname.lastIndexOf('/');
    this.#path = url.pathname.slice(cut) + query;
    const base = new URL(url.toString());
    base.pathname = url.pathname.slice(0, cut) || '/';
    const {
      nodeUrl: _n,
      organizationId: _o,
      codes,
      allowTopSecret: _a,
      allowedMimeTypes: _m,
      xmlLimits,
      signingKey: _s,
      onExchange: _e,
      letterVerification: _v,
      ...transport
    } = options;
    this.#codes = codes ?? DEFAULT_CODE_BOOK;
    this.#limits = xmlLimits;
    this.#verification = options.letterVerification && withParsedRevocation(options.letterVerification);
    this.#transport = new Transport(
      {
        ...transport,
        baseUrl: base.toString(),
        maxResponseBytes: transport.maxResponseBytes ?? 160 * 1024 * 1024,
      },
      PKG,
    );
  }

  /** The signature checks `fetchNext` and `reRequest` apply by default (the `letterVerification` option). */
  get letterVerification(): LetterVerification | undefined {
    return this.#verification;
  }

  /** The code book in use (defaults, or the node's after `loadCodeBook()`). */
  get codes(): CodeBook {
    return this.#codes;
  }

  get #decodeOptions() {
    return {
      codes: this.#codes,
      limits: this.#limits,
      allowedMimeTypes: this.#options.allowedMimeTypes ?? ALLOWED_MIME_TYPES,
    };
  }

  async #call<T>(
    operation: string,
    request: EcmsRequest,
    to: string,
    decode: (body: Uint8Array, options: DecodeOptions) => T,
    idempotent: boolean,
    options: OperationOptions = {},
  ): Promise<{ value: T; exchange: ExchangeEvidence }> {
    return this.#transport.telemetry.operation(`ecms.${operation}`, () =>
      this.#callOnce(operation, request, to, decode, idempotent, options),
    );
  }

  async #callOnce<T>(
    operation: string,
    request: EcmsRequest,
    to: string,
    decode: (body: Uint8Array, options: DecodeOptions) => T,
    idempotent: boolean,
    options: OperationOptions,
  ): Promise<{ value: T; exchange: ExchangeEvidence }> {
    const problem = destinationProblem(to);
    if (problem) throw invalidArgument(`The e-CMS destination (wsa:To) ${problem}`);
    const bytes = encodeRequest(
      request,
      { to },
      {
        codes: this.#codes,
        allowTopSecret: this.#options.allowTopSecret,
        allowedMimeTypes: this.#options.allowedMimeTypes,
      },
    );
    const res = await this.#transport.request<Uint8Array>(
      {
        method: 'POST',
        path: this.#path,
        headers: { soapaction: `"${operation}"` },
        body: { raw: bytes, contentType: SOAP_CONTENT_TYPE },
        responseType: 'bytes',
        idempotent,
        operation: `ecms.${operation}`,
        classify: (raw) => classifyFault(raw, operation, this.#limits),
      },
      options,
    );
    const exchange: ExchangeEvidence = {
      operation,
      requestId: res.requestId,
      at: new Date(),
      requestXml: bytes,
      requestSha256: sha256Hex(bytes),
      responseXml: res.body,
      responseSha256: sha256Hex(res.body),
    };
    try {
      this.#options.onExchange?.(exchange);
    } catch {
      // An evidence hook must not break the exchange it records.
    }
    // The exchange keeps the bytes as received; the decoders honour the charset the node declared, and read an
    // MTOM (multipart/related) answer from its root part.
    const answer = unpackMultipart(res.body, res.headers['content-type']);
    return {
      value: decode(answer.body, { ...this.#decodeOptions, contentType: answer.contentType }),
      exchange,
    };
  }

  /** 3.2.1 Send a letter to another organisation (through the own node). Not retried: see `EcmsOutbox`. */
  async sendLetter(
    letter: LetterInput,
    options: SendLetterOptions = {},
  ): Promise<WithExchange<SendLetterResult>> {
    const to = options.to ?? (await this.nodeUrlOf(letter.receiver.departmentId, options));
    const sign = options.sign ?? this.#options.signingKey !== undefined;
    if (sign) {
      return this.sendGovernmentDocument(this.encodeLetter(letter, { sign: true }), { ...options, to });
    }
    const r = await this.#call(
      'sendLetter',
      { op: 'sendLetter', letter },
      to,
      (b, o) => decodeSendLetterResponse(b, o),
      false,
      options,
    );
    return { ...r.value, exchange: r.exchange };
  }

  /**
   * The letter as a standalone GovernmentDocument with this client's codes and limits, signed when asked
   * (default: when the client has a `signingKey`). What the outbox stores and sends.
   */
  encodeLetter(letter: LetterInput, options: { sign?: boolean } = {}): Buffer {
    const sign = options.sign ?? this.#options.signingKey !== undefined;
    if (sign && !this.#options.signingKey) {
      throw ecmsError('ERR_ECMS_SIGNATURE', 'Signing needs the client option signingKey');
    }
    const doc = encodeGovernmentDocument(letter, {
      codes: this.#codes,
      allowTopSecret: this.#options.allowTopSecret,
      allowedMimeTypes: this.#options.allowedMimeTypes,
      withSignatureBlock: sign,
    });
    return sign && this.#options.signingKey ? signGovernmentDocument(doc, this.#options.signingKey) : doc;
  }

  /** Sends an already encoded (possibly signed) GovernmentDocument byte for byte. */
  async sendGovernmentDocument(
    documentXml: Uint8Array,
    options: SendLetterOptions & { to: string },
  ): Promise<WithExchange<SendLetterResult>> {
    const r = await this.#call(
      'sendLetter',
      { op: 'sendDocument', documentXml },
      options.to,
      (b, o) => decodeSendLetterResponse(b, o),
      false,
      options,
    );
    return { ...r.value, exchange: r.exchange };
  }

  /** Sends any notifier; `to` defaults to the node of the letter's other party. */
  async sendNotifier(notifier: Notifier, options: NotifyOptions = {}): Promise<WithExchange<NotifierResult>> {
    const other =
      notifier.kind === 'invalid_accept_id' ? notifier.acceptDepartmentId : notifier.senderDepartmentId;
    if (!options.to && !other) {
      throw ecmsError(
        'ERR_ECMS_MESSAGE',
        notifier.kind === 'invalid_accept_id'
          ? 'acceptDepartmentId (or options.to) is needed to route this notifier'
          : 'senderDepartmentId (or options.to) is needed to route this notifier',
      );
    }
    const to = options.to ?? (await this.nodeUrlOf(other as string, options));
    // On the wire a request notifier carries only the natural key (and AcceptID).
    const wire: Notifier = {
      kind: notifier.kind,
      letterId: notifier.letterId,
      correspondenceDate: notifier.correspondenceDate,
      subject: notifier.subject,
      ...(notifier.acceptId ? { acceptId: notifier.acceptId } : {}),
    };
    const r = await this.#call(
      `notifier.${notifier.kind}`,
      { op: 'notifier', notifier: wire },
      to,
      (b, o) => decodeNotifierResponse(b, o),
      true,
      options,
    );
    return { ...r.value, exchange: r.exchange };
  }

  /** 3.2.2 Receipt acknowledgement (ReceiveLetterNotifier). */
  acknowledgeReceipt(input: NotifierInput, options?: NotifyOptions): Promise<WithExchange<NotifierResult>> {
    return this.sendNotifier({ ...input, kind: 'receive' }, options);
  }
  /** 3.2.3 Registration number (AcceptLetterNotifier with AcceptID). */
  acceptLetter(
    input: NotifierInput & { acceptId: string },
    options?: NotifyOptions,
  ): Promise<WithExchange<NotifierResult>> {
    return this.sendNotifier({ ...input, kind: 'accept' }, options);
  }
  /** 3.2.4 Reject a letter. */
  rejectLetter(input: NotifierInput, options?: NotifyOptions): Promise<WithExchange<NotifierResult>> {
    return this.sendNotifier({ ...input, kind: 'reject' }, options);
  }
  /** 3.2.5 Wrong letter or wrong recipient. */
  reportInvalidLetter(input: NotifierInput, options?: NotifyOptions): Promise<WithExchange<NotifierResult>> {
    return this.sendNotifier({ ...input, kind: 'invalid' }, options);
  }
  /** 3.2.6 (sender) The registration number the receiver gave is wrong. */
  reportInvalidAcceptId(
    input: NotifierInput & { acceptId: string },
    options?: NotifyOptions,
  ): Promise<WithExchange<NotifierResult>> {
    return this.sendNotifier({ ...input, kind: 'invalid_accept_id' }, options);
  }

  /**
   * 3.2.7–12 The next item of the own queue, or null when empty; not removed until `dequeue`. A letter, a
   * notifier, or `kind: 'poison'` for an item that cannot be used (undecodable, or refused by the signature
   * policy): that one never throws, so it can be kept as evidence and dequeued.
   */
  async fetchNext(options: FetchOptions = {}): Promise<WithExchange<{ item: InboundItem | null }>> {
    return this.#fetchItem('fetchNext', { op: 'fetchNext' }, options);
  }

  async #fetchItem(
    operation: 'fetchNext' | 'reRequest',
    request: EcmsRequest,
    options: FetchOptions,
  ): Promise<WithExchange<{ item: InboundItem | null }>> {
    const { verify: perCall, ...operationOptions } = options;
    if (perCall) validateOptions(letterVerificationSchema, perCall, `${operation} options.verify`);
    const verify = perCall ? withParsedRevocation(perCall) : this.#verification;
    const r = await this.#call(
      operation,
      request,
      this.nodeUrl,
      (b, o) => decodeInboundItem(b, { ...o, ...(verify ? { verify } : {}) }),
      true,
      operationOptions,
    );
    return { item: await finishVerification(r.value, verify, operationOptions), exchange: r.exchange };
  }

  /** 3.2.14 Remove a fetched item from the own queue (only after it is safely stored). */
  async dequeue(processId: string, options?: OperationOptions): Promise<ProcessAck> {
    const r = await this.#call(
      'dequeue',
      { op: 'dequeue', processId },
      this.nodeUrl,
      (b, o) => decodeDequeueResponse(b, o),
      true,
      options,
    );
    return r.value;
  }

  /** Ask the own node for a specific item again (a letter or a notifier) by the letter's key; verified as `fetchNext`. */
  async reRequest(
    kind: InboundItemKind,
    key: LetterKey,
    options: FetchOptions = {},
  ): Promise<WithExchange<{ item: InboundItem | null }>> {
    return this.#fetchItem('reRequest', { op: 'reRequest', kind, key }, options);
  }

  /** 3.2.13 Withdraw a sent letter (after reject/invalid) so it can be sent again. */
  async withdraw(key: LetterKey, options?: OperationOptions): Promise<WithExchange<ProcessAck>> {
    const r = await this.#call(
      'withdraw',
      { op: 'withdraw', key },
      this.nodeUrl,
      (b, o) => decodeWithdrawResponse(b, o),
      false,
      options,
    );
    return { ...r.value, exchange: r.exchange };
  }

  /** 3.3.6 Status of the letters this organisation sent. */
  async outboundStatus(options?: OperationOptions): Promise<OutboundStatusEntry[]> {
    return (
      await this.#call(
        'outboundStatus',
        { op: 'outboundStatus' },
        this.nodeUrl,
        (b, o) => decodeOutboundStatusResponse(b, o),
        true,
        options,
      )
    ).value;
  }

  /** 3.3.1 Ministries. */
  async getMinistries(options?: OperationOptions): Promise<Ministry[]> {
    return (
      await this.#call(
        'ministries',
        { op: 'ministries' },
        this.nodeUrl,
        (b, o) => decodeMinistryListResponse(b, o),
        true,
        options,
      )
    ).value;
  }

  /** 3.3.2 Organisations on the network, with their node URLs (cached for routing). */
  async getOrganizations(options?: OperationOptions): Promise<Organization[]> {
    const list = (
      await this.#call(
        'organizations',
        { op: 'organizations' },
        this.nodeUrl,
        (b, o) => decodeOrganizationListResponse(b, o),
        true,
        options,
      )
    ).value;
    this.#organizations = list;
    return list;
  }

  async getSecretCodes(options?: OperationOptions): Promise<CodeEntry[]> {
    return (
      await this.#call(
        'secretCodes',
        { op: 'secretCodes' },
        this.nodeUrl,
        (b, o) => decodeCodeListResponse(b, 'secret', o),
        true,
        options,
      )
    ).value;
  }

  async getSpeedCodes(options?: OperationOptions): Promise<CodeEntry[]> {
    return (
      await this.#call(
        'speedCodes',
        { op: 'speedCodes' },
        this.nodeUrl,
        (b, o) => decodeCodeListResponse(b, 'speed', o),
        true,
        options,
      )
    ).value;
  }

  async getMimeCodes(options?: OperationOptions): Promise<MimeEntry[]> {
    return (
      await this.#call(
        'mimeCodes',
        { op: 'mimeCodes' },
        this.nodeUrl,
        (b, o) => decodeMimeListResponse(b, o),
        true,
        options,
      )
    ).value;
  }

  /** Reads the node's speed and secrecy lists and uses them from now on. */
  async loadCodeBook(options?: OperationOptions): Promise<CodeBook> {
    const [speed, secrecy] = await Promise.all([this.getSpeedCodes(options), this.getSecretCodes(options)]);
    this.#codes = buildCodeBook({ speed, secrecy });
    return this.#codes;
  }

  /** The node's clock and the local clock's offset from it. */
  async timeCheck(options?: OperationOptions): Promise<TimeCheckResult> {
    const start = Date.now();
    const nodeTime = (
      await this.#call(
        'timeCheck',
        { op: 'timeCheck' },
        this.nodeUrl,
        (b, o) => decodeTimeCheckResponse(b, o),
        true,
        options,
      )
    ).value;
    const mid = (start + Date.now()) / 2;
    return { nodeTime, skewInMs: nodeTime.getTime() - mid };
  }

  /** The e-CMS endpoint of an organisation (from the cached organisation list, fetched on first use). */
  async nodeUrlOf(organizationId: string, options?: OperationOptions): Promise<string> {
    const find = () => this.#organizations?.find((o) => o.organizationId === organizationId);
    let org = find();
    if (!org) {
      await this.getOrganizations(options);
      org = find();
    }
    if (!org?.ecmsUrl) {
      throw ecmsError(
        'ERR_ECMS_MESSAGE',
        `Organisation ${organizationId} is not on the e-CMS network (GetOrganizationList)`,
      );
    }
    const problem = destinationProblem(org.ecmsUrl);
    if (problem) {
      // Refused here, before a send: a definitive failure of the letter, not an ambiguous send.
      throw ecmsError(
        'ERR_ECMS_MESSAGE',
        `The e-CMS URL of organisation ${organizationId} (GetOrganizationList) ${problem}`,
      );
    }
    return org.ecmsUrl;
  }

  close(): Promise<void> {
    return Promise.resolve(this.#transport.close());
  }
}

/**
 * The asynchronous end of a letter's signature check, once the signature itself verified: who signed (path,
 * usage and revocation with @thgov/pki, signer policy, certificate validator). Under `require` a refusal turns
 * the letter into a poison item; an abort is the caller's and propagates (the item stays queued).
 */
async function finishVerification(
  decoded: DecodedInbound,
  verify: LetterVerification | undefined,
  options: OperationOptions,
): Promise<InboundItem | null> {
  const { item, verified } = decoded;
  if (!verify || !verified || item?.kind !== 'letter') return item;
  try {
    const detail = await confirmSigner(verified.signature, verified.departmentId, verify, options);
    return { ...item, verification: passedEvidence('valid', verified.signature.evidence, detail) };
  } catch (err) {
    if (!(err instanceof EcmsSignatureError)) throw err;
    if (verify.policy !== 'require') return { ...item, verification: failedEvidence(err) };
    const { letter } = item;
    return poisonItem(
      { processId: item.processId, processTime: item.processTime },
      'GovernmentDocument',
      err,
      {
        letterId: letter.id,
        correspondenceDate: letter.correspondenceDate,
        subject: letter.subject,
        senderDepartmentId: letter.sender.departmentId,
      },
    );
  }
}

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const COLON = 0x3a;

/**
 * Whether the body may hold a fault: `ErrorDetail`, or `Fault` as an element name — after `<`, `</` or a
 * prefix, before `>`, `/` or whitespace (`<soap:Fault>`, `</Fault >`, `<Fault\n>`). A byte search, so only
 * bodies that may be faults are parsed here as well as by their decoder.
 */
function mayHoldFault(body: Buffer): boolean {
  if (body.indexOf('ErrorDetail', 0, 'latin1') !== -1) return true;
  for (let at = body.indexOf('Fault', 0, 'latin1'); at !== -1; at = body.indexOf('Fault', at + 5, 'latin1')) {
    const before = body[at - 1];
    const after = body[at + 5];
    if (
      (before === LT || before === SLASH || before === COLON) &&
      (after === GT ||
        after === SLASH ||
        after === 0x20 ||
        after === 0x09 ||
        after === 0x0a ||
        after === 0x0d)
    )
      return true;
  }
  return false;
}

/**
 * ErrorDetail / SOAP Fault in any response (2xx or not) becomes ERR_ECMS_FAULT with the node's code. An answer
 * that is not 2xx is always read as the decoders read one (any encoding, the tolerant name fold): the byte search
 * of `mayHoldFault` sees neither a UTF-16 fault nor `errorDetail`, and what it missed would be a bare HTTP error,
 * retried and, after a send, taken for an unknown outcome. A 2xx fault it misses is still raised by the decoder.
 */
function classifyFault(
  raw: RawResponse,
  operation: string,
  limits: Partial<XmlLimits> | undefined,
): ThGovError | undefined {
  const body = Buffer.from(raw.body.buffer, raw.body.byteOffset, raw.body.byteLength);
  const success = raw.statusCode >= 200 && raw.statusCode < 300;
  if (success && !mayHoldFault(body)) return undefined;
  try {
    const answer = unpackMultipart(body, raw.headers['content-type']);
    decodeEnvelope(answer.body, { limits, contentType: answer.contentType });
    return undefined;
  } catch (err) {
    if (err instanceof EcmsFaultError) {
      return new EcmsFaultError({
        nodeCode: err.nodeCode,
        nodeDescription: err.nodeDescription,
        ...(err.nodeSubcode ? { nodeSubcode: err.nodeSubcode } : {}),
        soapFault: err.soapFault,
        operation,
        statusCode: raw.statusCode,
        retryable: false,
      });
    }
    return undefined;
  }
}
