import { DigitalIdClient, type DigitalIdentity } from '@thgov/digital-id';
import { SandboxBrowser } from '@thgov/sandbox';
import { CLIENT_TIMEOUTS, type DemoContext } from '../context.js';
import { maskCitizenId, maskName } from '../mask.js';
import { withTimeout } from '../with-timeout.js';

// Registered for the sandbox's default ThaID client; nothing listens there: the scripted browser stops at
// the redirect and hands the callback URL to the client, as a web app's callback route would.
const REDIRECT_URI = 'http://127.0.0.1:3000/auth/callback';

export interface Officer {
  citizenId: string;
  displayName: string;
}

/** a. An officer logs in with ThaID; the scripted browser plays the officer on the provider's login page. */
export async function officerLogin(ctx: DemoContext): Promise<Officer> {
  const { sandbox, report } = ctx;
  const app = sandbox.thaid.clients.default;
  const thaid = new DigitalIdClient({
    provider: 'thaid',
    issuer: sandbox.thaid.issuer,
    clientId: app.clientId,
    clientSecret: ctx.breakAt === 'login' ? 'not-the-client-secret' : app.clientSecret,
    apiKey: sandbox.thaid.apiKey,
    redirectUri: REDIRECT_URI,
    scopes: ['openid', 'pid', 'title', 'given_name', 'family_name', 'birthdate', 'ial'],
    timeouts: CLIENT_TIMEOUTS,
    dangerouslyAllowInsecureHttp: true, // the sandbox is plain http on 127.0.0.1; never in production
  });
  try {
    return await withTimeout('ThaID login', ctx.stepTimeoutInMs, async (abortSignal) => {
      const login = await thaid.createLoginRequest();
      report.detail(`login request: state + nonce + PKCE S256, issuer ${sandbox.thaid.issuer}`);
      // The first people of the sandbox hold a DOPA GovAMI session: they can act as AgentID at GDX.
      const officerId = sandbox.gdx.officers[0];
      if (!officerId) throw new Error('the sandbox has no officer');
      const outcome = await new SandboxBrowser().login(login.url, { citizenId: officerId });
      if (outcome.kind !== 'redirect') throw new Error(`the login stopped at a ${outcome.kind}`);
      const identity: DigitalIdentity = await thaid.handleCallback(outcome.url, {
        expectedState: login.state,
        abortSignal,
      });
      if (!identity.citizenId) throw new Error('the id_token carries no valid citizen ID');
      const th = identity.names.th;
      const displayName = maskName(th.title, th.given ?? '', th.family ?? '');
      report.detail(
        `id_token verified (signature, iss, aud, nonce); officer ${displayName}, citizen ID ${maskCitizenId(identity.citizenId)}, IAL ${identity.ial ?? 'n/a'}`,
      );
      return { citizenId: identity.citizenId, displayName };
    });
  } finally {
    await thaid.close();
  }
}
