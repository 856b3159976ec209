import { registerSecret } from '@thgov/core';
import { DigitalIdClient } from '@thgov/digital-id';
import { cscSigner, signPdf } from '@thgov/esign';
import { buildSimplePdf, SandboxBrowser } from '@thgov/sandbox';
import { CLIENT_TIMEOUTS, type DemoContext } from '../context.js';
import { maskName } from '../mask.js';
import { withTimeout } from '../with-timeout.js';

/** The officer's RSA credential at the sandbox signing service, authorised by logging in at digital ID. */
const CREDENTIAL = 'officer1-rsa';

/**
 * The signing application's DGA digital-ID client: one login for the `service` scope (list and read the
 * credential), then one login per signing transaction with scope `credential` and the CSC
 * `authorization_details` naming the document's hash: the officer approves exactly that document.
 */
function digitalIdLogins(ctx: DemoContext, citizenId: string) {
  const { dga, csc } = ctx.sandbox;
  const app = csc.signingClient;
  registerSecret(app.clientSecret);
  const client = new DigitalIdClient({
    provider: 'dga',
    issuer: dga.issuer,
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    redirectUri: app.redirectUris[0] as string,
    claimsSource: 'id_token',
    timeouts: CLIENT_TIMEOUTS,
    dangerouslyAllowInsecureHttp: true, // the sandbox is plain http on 127.0.0.1; never in production
  });
  const browser = new SandboxBrowser();
  const token = async (scopes: string[], extraParameters?: Record<string, string>) => {
    const req = await client.createLoginRequest({
      scopes,
      ...(extraParameters ? { extraParameters, prompt: 'login' as const } : {}),
    });
    const outcome = await browser.login(req.url, { citizenId });
    if (outcome.kind !== 'redirect') throw new Error(`the digital-ID login stopped at a ${outcome.kind}`);
    const identity = await client.handleCallback(outcome.url, { expectedState: req.state });
    return identity.tokens.accessToken;
  };
  return { client, token };
}

/**
 * d. The officer signs the letter PDF with a key held by the sandbox's remote signing service (CSC v2),
 * authorising this one document by logging in at the DGA-like digital-ID provider; B-LT with the sandbox
 * PKI's time-stamp and OCSP. Returns the signed PDF for e-CMS.
 */
export async function remoteSign(ctx: DemoContext): Promise<Uint8Array> {
  const { sandbox, report } = ctx;
  const officer = sandbox.csc.officers[0]?.person;
  if (!officer) throw new Error('the sandbox signing service has no officer');
  const letter = buildSimplePdf('Letter 0105/2569 (demo)', ['To: the Director-General', 'Please verify.']);
  const { client, token } = digitalIdLogins(ctx, officer.citizenId);
  try {
    return await withTimeout('remote signature', ctx.stepTimeoutInMs, async (abortSignal) => {
      let approved = 0;
      const signer = await cscSigner({
        serviceUrl: sandbox.csc.url,
        credentialId: CREDENTIAL,
        timeouts: CLIENT_TIMEOUTS,
        auth: {
          serviceToken: () => token(['service']),
          credentialToken: (request) => {
            approved += request.hashes.length;
            return token(['credential'], {
              authorization_details: JSON.stringify(request.authorizationDetails),
            });
          },
        },
      });
      try {
        const signed = await signPdf(new Uint8Array(letter), {
          signer,
          level: 'B-LT',
          tsa: `${sandbox.pki.url}/tsa`,
          revocation: 'fetch',
          trustAnchors: sandbox.pki.rootPem,
          reason: 'อนุมัติ / Approved',
          abortSignal,
        });
        const name = maskName(officer.title.th, officer.firstName.th, officer.lastName.th);
        report.detail(
          `officer ${name} approved ${approved} document hash at digital ID (scope credential); ${CREDENTIAL} signed at ${sandbox.csc.url}`,
        );
        report.detail(`letter PDF signed: PAdES B-LT, ${letter.length} → ${signed.length} bytes`);
        return signed;
      } finally {
        await signer.close();
      }
    });
  } finally {
    await client.close();
  }
}
