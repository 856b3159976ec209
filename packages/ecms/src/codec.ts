// @thgov/ecms/codec: the SOAP codec per operation, for tools, tests and other nodes (the sandbox's own node does
// not use it, on purpose). Applications use EcmsClient, EcmsOutbox and EcmsInboxWorker from the root entry, which
// also keeps the letter-level codec (encodeGovernmentDocument, decodeGovernmentDocument, parseLetter).

export {
  type DecodedRequest,
  decodeCodeListResponse,
  decodeDequeueResponse,
  decodeMimeListResponse,
  decodeMinistryListResponse,
  decodeNotifierResponse,
  decodeOrganizationListResponse,
  decodeOutboundStatusResponse,
  decodeRequest,
  decodeSendLetterResponse,
  decodeTimeCheckResponse,
  decodeWithdrawResponse,
} from './codec/decode.js';
export { type EcmsRequest, type EnvelopeHeader, encodeRequest } from './codec/encode.js';
export { type DecodedEnvelope, decodeEnvelope } from './codec/envelope.js';
export { decodeInboundResponse, type InboundDecodeOptions, type ItemVerifyOptions } from './codec/inbound.js';
export { ENDPOINT_PATH, NS, REQUEST_ELEMENTS, RESPONSE_ELEMENTS, SOAP_CONTENT_TYPE } from './codec/names.js';
