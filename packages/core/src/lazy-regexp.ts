/**
 * A regular expression built at its first use instead of when its module loads (cold start). Node checks a
 * literal's syntax while it parses the module, and `new RegExp` parses its pattern at once: a Unicode property
 * (`\p{Nd}`) makes ICU build that property's character set each time (0.2-0.5 ms here), and the long Thai
 * alternations of name redaction take as long. Importing @thgov/core paid for every one of them, used or not.
 * Write the pattern with `String.raw` to keep it as the literal had it; the same RegExp object is returned on
 * every call, so a global expression keeps its `lastIndex` as the literal did. A pattern assembled from lists can
 * be given as a function, which then runs at the first use too.
 */
export function lazyRegExp(source: string | (() => string), flags = ''): () => RegExp {
  let built: RegExp | undefined;
  return () => (built ??= new RegExp(typeof source === 'string' ? source : source(), flags));
}
