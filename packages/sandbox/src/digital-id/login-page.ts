import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { readBody, sendText } from '../http-server.js';
import type { SandboxPerson } from '../people.js';
import { escapeHtml, page } from './html.js';

/** How many citizens the picker lists; any citizen of the population can still be posted by ID. */
const LISTED = 30;

export interface LoginPageOptions {
  provider: Provider;
  /** Path prefix of the interaction routes, e.g. `/interaction`. */
  basePath: string;
  title: string;
  people: readonly SandboxPerson[];
  byCitizenId: ReadonlyMap<string, SandboxPerson>;
  /** The provider's `sub` for a person (the citizen ID at ThaID, a pairwise-looking UUID at DGA). */
  accountIdFor(person: SandboxPerson): string;
}

/**
 * The sandbox's stand-in for the ThaID QR step or the DGA password form: a developer picks one of the
 * sandbox's test citizens. A plain HTML form (select `citizenId`, POST), so tests and demos can drive it
 * with a cookie-jar fetch as easily as a browser can.
 * Returns false when the request is not for the login page.
 */
export async function handleLoginPage(
  options: LoginPageOptions,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
): Promise<boolean> {
  if (!pathname.startsWith(`${options.basePath}/`)) return false;
  const parts = pathname.slice(options.basePath.length + 1).split('/');
  const uid = parts[0];
  const action = parts[1];
  if (!uid || !/^[\w-]{1,100}$/.test(uid)) return false;

  let details: Awaited<ReturnType<Provider['interactionDetails']>>;
  try {
    details = await options.provider.interactionDetails(req, res);
  } catch {
    sendText(
      res,
      400,
      'This login session has expired or is unknown. Start the login again from the application.',
    );
    return true;
  }
  if (details.uid !== uid) {
    sendText(res, 400, 'Login session mismatch.');
    return true;
  }

  if (req.method === 'GET' && action === undefined) {
    sendHtml(res, 200, renderLogin(options, uid, details.params));
    return true;
  }
  if (req.method === 'POST' && action === 'login') {
    let raw: Buffer;
    try {
      raw = await readBody(req, 16 * 1024);
    } catch {
      sendText(res, 413, 'Form too large');
      return true;
    }
    const form = new URLSearchParams(raw.toString('utf8'));
    const person = options.byCitizenId.get(form.get('citizenId') ?? '');
    if (!person) {
      sendHtml(
        res,
        400,
        renderLogin(options, uid, details.params, 'Unknown test citizen: pick one from the list.'),
      );
      return true;
    }
    // A transaction (authorization details: the document digests to sign) is approved by this very login.
    const approves = details.params.authorization_details !== undefined;
    await options.provider.interactionFinished(
      req,
      res,
      {
        login: { accountId: options.accountIdFor(person), amr: ['pwd'], acr: 'urn:thgov:sandbox' },
        ...(approves ? { consent: {} } : {}),
      },
      { mergeWithLastSubmission: false },
    );
    return true;
  }
  if (req.method === 'POST' && action === 'abort') {
    await options.provider.interactionFinished(
      req,
      res,
      { error: 'access_denied', error_description: 'The citizen cancelled the login' },
      { mergeWithLastSubmission: false },
    );
    return true;
  }
  sendText(res, 405, 'Method not allowed');
  return true;
}

function renderLogin(
  options: LoginPageOptions,
  uid: string,
  params: Record<string, unknown>,
  error?: string,
): string {
  const client = typeof params.client_id === 'string' ? params.client_id : '';
  const scope = typeof params.scope === 'string' ? params.scope : '';
  const choices = options.people
    .slice(0, LISTED)
    .map(
      (p) =>
        `<option value="${escapeHtml(p.citizenId)}">${escapeHtml(`${p.title.th}${p.firstName.th} ${p.lastName.th}`)} — ${escapeHtml(
          `${p.firstName.en} ${p.lastName.en}`,
        )} (${escapeHtml(p.citizenId)})</option>`,
    )
    .join('\n');
  const action = `${options.basePath}/${encodeURIComponent(uid)}`;
  return page(
    options.title,
    `<h1>${escapeHtml(options.title)}</h1>
<p class="note">Sandbox login: no real identity is checked. Pick a synthetic test citizen.</p>
<p class="note" lang="th" id="note-th">ระบบทดสอบ ไม่มีการตรวจสอบตัวตนจริง เลือกประชาชนทดสอบ</p>
<p>Application <code>${escapeHtml(client)}</code> asks for: <code>${escapeHtml(scope)}</code></p>
${renderDetails(params.authorization_details)}
${error ? `<p role="alert" id="login-error">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${escapeHtml(action)}/login" id="login-form">
<label for="citizenId">Test citizen</label><br>
<select name="citizenId" id="citizenId">${choices}</select><br>
<button type="submit" id="login">Log in as this citizen</button>
</form>
<form method="post" action="${escapeHtml(action)}/abort"><button type="submit" id="cancel">Cancel</button></form>`,
  );
}

/** The transaction the officer approves by logging in: which credential signs which document digests. */
function renderDetails(raw: unknown): string {
  if (typeof raw !== 'string') return '';
  let details: Array<{
    type?: unknown;
    credentialID?: unknown;
    documentDigests?: Array<{ hash?: unknown; label?: unknown }>;
  }>;
  try {
    details = JSON.parse(raw);
  } catch {
    return '';
  }
  const items = details.flatMap((d) =>
    (d.documentDigests ?? []).map(
      (digest) =>
        `<li>${escapeHtml(String(digest.label ?? 'document'))}: <code>${escapeHtml(String(digest.hash ?? ''))}</code> with <code>${escapeHtml(String(d.credentialID ?? ''))}</code></li>`,
    ),
  );
  return `<p id="signing-request">Logging in approves signing these documents (and no others):</p><ul>${items.join('')}</ul>`;
}

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': String(Buffer.byteLength(html)),
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; font-src 'self';",
  });
  res.end(html);
}
