import * as oidc from 'openid-client';
import type { StaticEndpoints } from './presets.js';

/** Asymmetric algorithms only: never `none`, never HMAC with a public key as the secret. */
export const ASYMMETRIC_ALGS = [
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'EdDSA',
  'Ed25519',
];

/** The server metadata built from a preset's static endpoints, as discovery would have returned it. */
export function staticConfiguration(
  issuer: URL,
  statics: StaticEndpoints,
  clientId: string,
  metadata: Partial<oidc.ClientMetadata>,
  auth: oidc.ClientAuth,
): oidc.Configuration {
  const base = issuer.href.replace(/\/+$/, '');
  const server: oidc.ServerMetadata = {
    issuer: base,
    authorization_endpoint: base + statics.authorization,
    token_endpoint: base + statics.token,
    jwks_uri: base + statics.jwks,
    id_token_signing_alg_values_supported: ASYMMETRIC_ALGS,
    userinfo_signing_alg_values_supported: ASYMMETRIC_ALGS,
    code_challenge_methods_supported: ['S256'],
    ...(statics.userinfo ? { userinfo_endpoint: base + statics.userinfo } : {}),
    ...(statics.introspection ? { introspection_endpoint: base + statics.introspection } : {}),
    ...(statics.revocation ? { revocation_endpoint: base + statics.revocation } : {}),
    ...(statics.endSession ? { end_session_endpoint: base + statics.endSession } : {}),
  };
  return new oidc.Configuration(server, clientId, metadata, auth);
}

/**
 * A discovered configuration whose metadata omits the signing algorithms: openid-client would then accept
 * RS256 id_tokens only (and no userinfo JWT at all), refusing a provider that signs with ES256, PS256 or
 * EdDSA (ThaID was reported on ES256). The asymmetric algorithms the static mode accepts stand in for the
 * missing list; never `none`, never HMAC. A list the provider publishes is kept as it is.
 */
export function withAlgorithmDefaults(
  config: oidc.Configuration,
  clientId: string,
  metadata: Partial<oidc.ClientMetadata>,
  auth: oidc.ClientAuth,
  execute: ReadonlyArray<(c: oidc.Configuration) => void>,
  fetch: oidc.CustomFetch,
): oidc.Configuration {
  const server = config.serverMetadata();
  const missing = {
    ...(server.id_token_signing_alg_values_supported?.length
      ? {}
      : { id_token_signing_alg_values_supported: ASYMMETRIC_ALGS }),
    ...(server.userinfo_signing_alg_values_supported?.length
      ? {}
      : { userinfo_signing_alg_values_supported: ASYMMETRIC_ALGS }),
  };
  if (Object.keys(missing).length === 0) return config;
  // The helpers serverMetadata() adds (supportsPKCE) are not metadata: left out.
  const { supportsPKCE: _helper, ...plain } = server;
  const patched = new oidc.Configuration({ ...plain, ...missing }, clientId, metadata, auth);
  return finishConfiguration(patched, execute, fetch);
}

/**
 * What discovery applies to a configuration it builds, applied to one built here: the checks (`execute`),
 * the client's fetch, and no per-request timer of openid-client's own (each operation's deadline applies).
 */
export function finishConfiguration(
  config: oidc.Configuration,
  execute: ReadonlyArray<(c: oidc.Configuration) => void>,
  fetch: oidc.CustomFetch,
): oidc.Configuration {
  for (const fn of execute) fn(config);
  config[oidc.customFetch] = fetch;
  config.timeout = 0;
  return config;
}

/** Whether authorization requests go through PAR: always, never, or when the provider offers or requires it. */
export function usesPar(server: oidc.ServerMetadata, par: 'auto' | 'always' | 'never'): boolean {
  return (
    par === 'always' ||
    (par === 'auto' &&
      (server.pushed_authorization_request_endpoint !== undefined ||
        server.require_pushed_authorization_requests === true))
  );
}

/**
 * A DPoP key when the provider supports DPoP with an asymmetric algorithm (ES256 preferred). The key pair
 * comes from `keyPairFor`, which keeps one per algorithm for the client's life: the provider binds tokens
 * (a public client's refresh tokens, RFC 9449 §5) to it, and a rebuilt engine must still prove that key.
 */
export async function dpopHandle(
  config: oidc.Configuration,
  server: oidc.ServerMetadata,
  dpop: 'auto' | 'never',
  keyPairFor: (alg: string) => Promise<oidc.CryptoKeyPair>,
): Promise<oidc.DPoPHandle | undefined> {
  if (dpop !== 'auto' || (server.dpop_signing_alg_values_supported?.length ?? 0) === 0) return undefined;
  const algs = server.dpop_signing_alg_values_supported ?? [];
  const alg = algs.includes('ES256') ? 'ES256' : algs.find((a) => ASYMMETRIC_ALGS.includes(a));
  return alg ? oidc.getDPoPHandle(config, await keyPairFor(alg)) : undefined;
}
