import { constants, createHash, verify, X509Certificate } from 'node:crypto';
import { type CscCredentialTokenRequest, cscSigner, type SignatureAlgorithm } from '@thgov/esign';
import {
  type CscService,
  type DgaProvider,
  generatePopulation,
  SandboxBrowser,
  type SandboxPki,
  startCscService,
  startDgaProvider,
  startSandboxPki,
} from '@thgov/sandbox';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DigitalIdClient } from '../src/index.js';
import { loginAs } from './helpers.js';

/**
 * The digital-ID side of a remote signature: the signing application sends the officer to the DGA-like
 * provider with scope `credential` and the CSC `authorization_details` the signer hands it; the officer's
 * login approves exactly those document digests, and the access token from the callback signs them.
 */
const population = generatePopulation({ seed: 21, people: 10, companies: 1 });
const officer = population.people[0]!;

let dga: DgaProvider;
let pki: SandboxPki;
let csc: CscService;
let signing: DigitalIdClient;
const browser = new SandboxBrowser();

beforeAll(async () => {
  dga = await startDgaProvider({ population });
  pki = await startSandboxPki();
  csc = await startCscService({ pki, dga, people: population.people, seed: 21, officers: 1 });
  const app = csc.signingClient;
  // A client for signing transactions: the claims are not needed (the id_token suffices), the token is.
  signing = new DigitalIdClient({
    provider: 'dga',
    issuer: dga.issuer,
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    redirectUri: app.redirectUris[0]!,
    claimsSource: 'id_token',
    dangerouslyAllowInsecureHttp: true,
  });
}, 60_000);

afterAll(async () => {
  await signing?.close();
  await csc?.close();
  await pki?.close();
  await dga?.close();
});

async function tokenFor(scopes: string[], extraParameters?: Record<string, string>): Promise<string> {
  const login = await loginAs(signing, browser, officer.citizenId, {
    scopes,
    ...(extraParameters ? { extraParameters, prompt: 'login' as const } : {}),
  });
  const identity = await signing.handleCallback(login.callbackUrl, { expectedState: login.state });
  return identity.tokens.accessToken;
}

it('DigitalIdClient obtains the credential token bound to the hashes, and cscSigner signs with it', async () => {
  const requests: CscCredentialTokenRequest[] = [];
  const signer = await cscSigner({
    serviceUrl: csc.url,
    credentialId: 'officer1-rsa',
    auth: {
      serviceToken: () => tokenFor(['service']),
      credentialToken: (request) => {
        requests.push(request);
        return tokenFor(['credential'], {
          authorization_details: JSON.stringify(request.authorizationDetails),
        });
      },
    },
  });
  const algorithm: SignatureAlgorithm = { scheme: 'RSA-PSS', digest: 'SHA-256' };
  const letter = Buffer.from('หนังสือราชการ: approved with digital ID');
  const signature = await signer.sign(
    new Uint8Array(createHash('sha256').update(letter).digest()),
    algorithm,
  );
  const key = new X509Certificate(signer.certificateChain[0]!).publicKey;
  expect(
    verify('sha256', letter, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature),
  ).toBe(true);
  expect(requests[0]?.authorizationDetails[0]).toMatchObject({
    type: 'credential',
    credentialID: 'officer1-rsa',
  });
  await signer.close?.();
});

it('a transaction needs its own login, even with a session, and the page shows the digests it approves', async () => {
  await tokenFor(['service']); // the shared browser now has a session at the provider
  const digest = createHash('sha256').update('another letter').digest('base64');
  const details = [
    {
      type: 'credential',
      credentialID: 'officer1-rsa',
      documentDigests: [{ hash: digest, label: 'letter 7/2569' }],
      hashAlgorithmOID: '2.16.840.1.101.3.4.2.1',
      locations: [],
    },
  ];
  const req = await signing.createLoginRequest({
    scopes: ['credential'],
    extraParameters: { authorization_details: JSON.stringify(details) },
  });
  // Cancelling is only possible on the login page: reaching access_denied proves the page was shown.
  const outcome = await browser.login(req.url, { citizenId: officer.citizenId, cancel: true });
  expect(outcome.kind === 'redirect' && new URL(outcome.url).searchParams.get('error')).toBe('access_denied');
  const start = await fetch(req.url, { redirect: 'manual' });
  const page = await fetch(new URL(start.headers.get('location') ?? '', req.url), {
    headers: {
      cookie: start.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; '),
    },
  });
  const html = await page.text();
  expect(html).toContain('id="signing-request"');
  expect(html).toContain(digest);
  expect(html).toContain('letter 7/2569');
});
