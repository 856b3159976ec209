/**
 * The exceptions CKAN's Action API maps to statuses (ckan/views/api.py): each carries the HTTP status and the
 * `error` object of the envelope, so the router writes them exactly as CKAN does.
 */
export class ActionError extends Error {
  constructor(
    readonly status: number,
    readonly error: Record<string, unknown>,
  ) {
    super(String(error.message ?? error.__type));
  }
}

/** 409 `Validation Error` with messages keyed by field. */
export function validationError(fields: Record<string, unknown>): ActionError {
  return new ActionError(409, { __type: 'Validation Error', ...fields });
}

/** 403 `Authorization Error`: "Access denied: …". */
export function notAuthorized(detail?: string): ActionError {
  return new ActionError(403, {
    __type: 'Authorization Error',
    message: detail ? `Access denied: ${detail}` : 'Access denied',
  });
}

/** 404 `Not Found Error`: "Not found: …". */
export function notFound(detail?: string): ActionError {
  return new ActionError(404, {
    __type: 'Not Found Error',
    message: detail ? `Not found: ${detail}` : 'Not found',
  });
}

/** 400 `Search Query Error`. */
export function searchQueryError(detail: string): ActionError {
  return new ActionError(400, {
    __type: 'Search Query Error',
    message: `Search Query is invalid: ${detail}`,
  });
}

/** 409 `Search Error` (Solr refused the query, e.g. an unknown sort field). */
export function searchError(detail: string): ActionError {
  return new ActionError(409, { __type: 'Search Error', message: `Search error: ${detail}` });
}

/** A CKAN `_get_or_bust`: a missing parameter is a validation error keyed by it. */
export function required(params: Record<string, unknown>, key: string): unknown {
  const v = params[key];
  if (v === undefined || v === null || v === '') throw validationError({ [key]: ['Missing value'] });
  return v;
}
