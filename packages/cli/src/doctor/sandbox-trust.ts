import type { X509Certificate } from 'node:crypto';
import type { ThgovConfig } from '../config/schema.js';

/**
 * The organisation in every certificate of the sandbox's test PKI (@thgov/sandbox, `startSandboxPki`). Spelled
 * out because @thgov/sandbox is optional; a test compares it with a real sandbox root.
 */
export const SANDBOX_PKI_ORGANIZATION = 'thgov sandbox (TEST ONLY)';

/** A certificate of the sandbox's test PKI (the root `thgov sandbox` prints, its CAs and signers). */
export function isSandboxCertificate(x: X509Certificate): boolean {
  return x.subject.split('\n').includes(`O=${SANDBOX_PKI_ORGANIZATION}`);
}

function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}

/**
 * A configuration for a local sandbox: every platform URL it names is on this machine, and it names one or was
 * written by `thgov sandbox`. Anything else is treated as a configuration for the real platforms.
 */
export function isSandboxConfig(config: ThgovConfig, mark: string): boolean {
  const d = config.digitalId;
  const urls = [
    config.exchange?.baseUrl,
    config.ecms?.nodeUrl,
    ...[d?.thaid, d?.dga, ...Object.values(d?.providers ?? {})].map((p) => p?.issuer),
  ].filter((u): u is string => typeof u === 'string');
  if (!urls.every(isLoopback)) return false;
  return urls.length > 0 || (config.$comment?.startsWith(mark) ?? false);
}
