import type { ServerResponse } from 'node:http';
import type { FaultBody } from '../faults.js';
import { sendJson } from '../http-server.js';

/**
 * WSO2 API Manager's own answers (GDX's gateway), for what it settles before any provider is reached. Its first
 * handler matches the request to an API resource before the credentials are looked at: a path that matches no
 * resource gets 404, a resource without the request's verb 405, each as a "Status report" fault.
 */

/** How the gateway writes its own faults: the `<am:fault>` XML it sends by default, or its JSON twin. */
export type GatewayFaultFormat = 'xml' | 'json';

const DESCRIPTIONS = {
  404: 'No matching resource found for given API Request',
  405: 'Method not allowed for given API resource',
} as const;

/** WSO2's "Status report" fault for a route miss (404) or a verb the resource does not have (405). */
export function sendGatewayFault(res: ServerResponse, status: 404 | 405, format: GatewayFaultFormat): void {
  const fault = {
    code: String(status),
    type: 'Status report',
    message: 'Runtime Error',
    description: DESCRIPTIONS[status],
  };
  if (format === 'json') {
    sendJson(res, status, fault);
    return;
  }
  const xml =
    '<am:fault xmlns:am="http://wso2.org/apimanager">' +
    Object.entries(fault)
      .map(([k, v]) => `<am:${k}>${v}</am:${k}>`)
      .join('') +
    '</am:fault>';
  res.writeHead(status, {
    'content-type': 'application/xml; charset=UTF-8',
    'content-length': String(Buffer.byteLength(xml)),
  });
  res.end(xml);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** WSO2's `nextAccessTime`: `2026-Dec-07 15:41:00+0000 UTC`. */
function nextAccessTime(at: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const day = `${at.getUTCFullYear()}-${MONTHS[at.getUTCMonth()]}-${two(at.getUTCDate())}`;
  return `${day} ${two(at.getUTCHours())}:${two(at.getUTCMinutes())}:${two(at.getUTCSeconds())}+0000 UTC`;
}

/**
 * WSO2's throttling fault for a 429 (code 900800, "Message throttled out"): `<amt:fault>` XML, or in JSON the
 * same members under `fault` with a numeric code, as the gateway writes them.
 */
export function throttledFault(format: GatewayFaultFormat, retryAt: Date): FaultBody {
  const fault = {
    code: 900800,
    message: 'Message throttled out',
    description: 'You have exceeded your quota',
    nextAccessTime: nextAccessTime(retryAt),
  };
  if (format === 'json') {
    return { contentType: 'application/json; charset=UTF-8', body: JSON.stringify({ fault }) };
  }
  const members = Object.entries(fault)
    .map(([k, v]) => `<amt:${k}>${v}</amt:${k}>`)
    .join('');
  return {
    contentType: 'application/xml; charset=UTF-8',
    body: `<amt:fault xmlns:amt="http://wso2.org/apimanager/throttling">${members}</amt:fault>`,
  };
}
