import type { SessionData } from './session.js';

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function layout(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="th">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/assets/sarabun/400.css">
<link rel="stylesheet" href="/assets/sarabun/600.css">
<style>
body{font-family:Sarabun,system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
.card{border:1px solid #ddd;border-radius:8px;padding:1rem 1.5rem}dt{font-weight:600;margin-top:.6rem}
a.button,button{display:inline-block;background:#0b5394;color:#fff;border:0;border-radius:4px;padding:.5rem 1rem;
font:inherit;font-size:1rem;text-decoration:none;cursor:pointer}.error{color:#a00}
</style>
</head>
<body>
${body}
</body>
</html>`;
}

export function homePage(signedOut: boolean): string {
  return layout(
    'Agency e-service',
    `<h1>Agency e-service</h1>
${signedOut ? '<p id="signed-out">You are signed out.</p>' : ''}
<p>Log in with your digital ID to see your profile.</p>
<p><a class="button" id="login" href="/login">Log in with ThaID</a></p>`,
  );
}

export function profilePage(user: NonNullable<SessionData['user']>, csrf: string): string {
  const row = (label: string, value: string | undefined, id: string) =>
    `<dt>${escapeHtml(label)}</dt><dd id="${id}">${escapeHtml(value ?? '—')}</dd>`;
  return layout(
    'Your profile',
    `<h1>Your profile</h1>
<div class="card"><dl>
${row('ชื่อ (Thai name)', user.nameTh, 'name-th')}
${row('Name', user.nameEn, 'name-en')}
${row('Birth date', user.birthdate, 'birthdate')}
${row('Citizen ID', user.citizenIdMasked, 'citizen-id')}
${row('Identity assurance level', user.ial, 'ial')}
</dl></div>
<form method="post" action="/logout"><input type="hidden" name="csrf" value="${escapeHtml(csrf)}">
<button type="submit" id="logout">Log out</button></form>`,
  );
}

export function errorPage(code: string, hint: string | undefined): string {
  return layout(
    'Login failed',
    `<h1>Login failed</h1>
<p class="error" id="error-code">${escapeHtml(code)}</p>
${hint ? `<p>${escapeHtml(hint)}</p>` : ''}
<p><a href="/">Back</a></p>`,
  );
}
