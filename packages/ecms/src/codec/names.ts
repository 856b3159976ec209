/** Namespaces and element names of the e-CMS wire format (see the protocol reference). */
export const NS = {
  soap: 'http://schemas.xmlsoap.org/soap/envelope/',
  wsa: 'http://www.w3.org/2005/08/addressing',
  rsm: 'urn:th:gov:egif:data:standard:GovernmentDocument:1.0',
  ram: 'urn:th:gov:egif:data:standard:ReusableAggregateBusinessInformationEntity:1',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
} as const;

/** The path of an e-CMS node's SOAP endpoint. */
export const ENDPOINT_PATH = '/ecms-ws01/service2';
/** The content type of e-CMS requests and responses (SOAP 1.1). */
export const SOAP_CONTENT_TYPE = 'text/xml; charset=utf-8';

/** Body child of each request. */
export const REQUEST_ELEMENTS = {
  outbound: 'CorrespondenceLetterOutboundRequest',
  inbound: 'CorrespondenceLetterInboundRequest',
  inboundSpecial: 'CorrespondenceLetterInboundSpecialRequest',
  withdraw: 'CorrespondenceDeleteGovernmentDocumentRequest',
  dequeue: 'CorrespondenceLetterDeleteRequest',
  ministries: 'GetMinistryOrganizationList',
  organizations: 'GetOrganizationList',
  secretCodes: 'GetSecretCodes',
  speedCodes: 'GetSpeedCodes',
  mimeCodes: 'GetMimeCodes',
  outboundStatus: 'OutboundStatusRequest',
  timeCheck: 'TimeCheckRequest',
} as const;

/** The Body element of each operation's response. */
export const RESPONSE_ELEMENTS = {
  outbound: 'CorrespondenceLetterOutboundResponse',
  inbound: 'CorrespondenceLetterInboundResponse',
  withdraw: 'CorrespondenceDeleteGovernmentDocumentResponse',
  dequeue: 'CorrespondenceLetterDeleteResponse',
  ministries: 'GetMinistryOrganizationListResponse',
  organizations: 'GetOrganizationListResponse',
  secretCodes: 'GetSecretCodesResponse',
  speedCodes: 'GetSpeedCodesResponse',
  mimeCodes: 'GetMimeCodesResponse',
  outboundStatus: 'OutboundStatusResponse',
  timeCheck: 'TimeCheckResponse',
} as const;

/** Element that names an item kind in a re-request (`CorrespondenceLetterInboundSpecialRequest/<Kind>`). */
export const LETTER_ELEMENT = 'GovernmentDocument';
