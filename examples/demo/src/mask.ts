/**
 * The demo prints what an officer would see, but never a full citizen ID or a full name: output of a demo
 * ends up in CI logs and screenshots, and good habits should be the ones people copy.
 */
export function maskCitizenId(citizenId: string): string {
  const d = citizenId.replace(/\D/g, '');
  if (d.length !== 13) return 'x-xxxx-xxxxx-xx-x';
  return `x-xxxx-xxxxx-${d.slice(10, 12)}-${d.slice(12)}`;
}

/** First name and the initial of the last name: enough to recognise a test person, not to identify one. */
export function maskName(title: string | undefined, firstName: string, lastName: string): string {
  const initial = [...lastName.trim()][0] ?? '';
  return `${title ?? ''}${firstName}${initial ? ` ${initial}.` : ''}`;
}
