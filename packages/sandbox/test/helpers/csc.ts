import { createHash, randomBytes } from 'node:crypto';
import type { CscClient, CscCredentialTokenRequest } from '@thgov/esign';
import { type CscService, startCscService } from '../../src/csc/service.js';
import { type DgaProvider, startDgaProvider } from '../../src/digital-id/dga-provider.js';
import { dgaHashSecret } from '../../src/digital-id/dga-secret.js';
import { SandboxBrowser } from '../../src/digital-id/sandbox-browser.js';
import { generatePopulation, type SandboxPerson } from '../../src/people.js';
import { type SandboxPki, startSandboxPki } from '../../src/pki/sandbox-pki.js';

/** The platforms remote signing needs: the DGA-like provider, the PKI and the CSC service. */
export interface CscWorld {
  dga: DgaProvider;
  pki: SandboxPki;
  csc: CscService;
  officer: SandboxPerson;
  otherOfficer: SandboxPerson;
  close(): Promise<void>;
}

export async function startCscWorld(options: { sadTtlInMs?: number } = {}): Promise<CscWorld> {
  const population = generatePopulation({ seed: 11, people: 12, companies: 1 });
  const dga = await startDgaProvider({ population });
  const pki = await startSandboxPki();
  const csc = await startCscService({
    pki,
    dga,
    people: population.people,
    seed: 11,
    officers: 2,
    ...options,
  });
  return {
    dga,
    pki,
    csc,
    officer: population.people[0] as SandboxPerson,
    otherOfficer: population.people[1] as SandboxPerson,
    async close() {
      await csc.close();
      await pki.close();
      await dga.close();
    },
  };
}

/**
 * The signing application's side of an OAuth2 login at the DGA-like provider, driven headlessly: the officer
 * (a test citizen) logs in, the code is exchanged with PKCE. Returns the access token.
 */
export async function loginForToken(
  world: CscWorld,
  citizenId: string,
  scope: string,
  authorizationDetails?: unknown,
): Promise<string> {
  const client = world.csc.signingClient;
  const redirect = client.redirectUris[0] as string;
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL(`${world.dga.issuer}/connect/authorize`);
  url.search = new URLSearchParams({
    client_id: client.clientId,
    response_type: 'code',
    redirect_uri: redirect,
    scope,
    state: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...(authorizationDetails ? { authorization_details: JSON.stringify(authorizationDetails) } : {}),
  }).toString();
  const outcome = await new SandboxBrowser().login(url, { citizenId });
  if (outcome.kind !== 'redirect')
    throw new Error(`login did not redirect back: ${JSON.stringify(outcome).slice(0, 300)}`);
  const back = new URL(outcome.url);
  const code = back.searchParams.get('code');
  if (!code)
    throw new Error(
      `login answered ${back.searchParams.get('error')}: ${back.searchParams.get('error_description')}`,
    );
  const res = await fetch(`${world.dga.issuer}/connect/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${client.clientId}:${dgaHashSecret(client.clientSecret)}`).toString('base64')}`,
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirect,
      code_verifier: verifier,
    }).toString(),
  });
  const body = (await res.json()) as { access_token?: string; error?: string };
  if (!body.access_token) throw new Error(`token endpoint answered ${body.error}`);
  return body.access_token;
}

/** A `credentialToken` callback: the officer logs in at the DGA-like provider for exactly these hashes. */
export function credentialTokenFor(
  world: CscWorld,
  citizenId: string,
  calls: CscCredentialTokenRequest[] = [],
) {
  return async (request: CscCredentialTokenRequest) => {
    calls.push(request);
    return loginForToken(world, citizenId, 'openid credential', request.authorizationDetails);
  };
}

/** PIN + OTP → SAD for the first officer's explicit credential, bound to `hashes` (SHA-256, base64). */
export async function sadFor(
  world: CscWorld,
  client: CscClient,
  serviceToken: string,
  hashes: string[],
  credentialId = 'officer1-p256',
): Promise<string> {
  await client.sendOtp(credentialId, { accessToken: serviceToken });
  const { sad } = await client.authorize(
    {
      credentialId,
      numSignatures: hashes.length,
      hashes,
      hashAlgorithmOid: '2.16.840.1.101.3.4.2.1',
      authData: [
        { id: 'PIN', value: world.csc.officers[0]?.pin ?? '' },
        { id: 'OTP', value: world.csc.lastOtp(credentialId) ?? '' },
      ],
    },
    { accessToken: serviceToken },
  );
  return sad;
}
