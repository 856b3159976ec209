/**
 * Which DOCTYPE declarations the transcript XML may carry: one plain `<!DOCTYPE Name>` in the prolog, naming
 * nothing to load and declaring nothing (no internal subset, no external identifier). Anything that could define
 * entities, attribute defaults or IDs, or fetch a resource, is refused. The text "<!DOCTYPE" inside a comment, a
 * CDATA section or a processing instruction is not a declaration and is passed over. So is the text "<!ENTITY"
 * (`entityDeclarationProblem`): only a DTD declares entities, and every DTD that could is refused here anyway.
 */

const PLAIN_DOCTYPE = /<!DOCTYPE[ \t\r\n]+[^ \t\r\n<>[\]"'%]+[ \t\r\n]*>/y;
const DOCTYPE_START = /<!doctype/iy;

/** Markup that can hold the text "<!DOCTYPE" without declaring anything: its opening and closing. */
const OPAQUE: [string, string][] = [
  ['<!--', '-->'],
  ['<![CDATA[', ']]>'],
  ['<?', '?>'],
];

/**
 * Where the comment, CDATA section or processing instruction starting at `lt` ends (just past it); -1 when it
 * never ends; undefined when none starts there. The ends are found as both xmldom versions find them.
 */
function opaqueEnd(text: string, lt: number): number | undefined {
  for (const [open, close] of OPAQUE) {
    if (!text.startsWith(open, lt)) continue;
    const end = text.indexOf(close, lt + open.length);
    return end < 0 ? -1 : end + close.length;
  }
  return undefined;
}

/** Why the text's DOCTYPE declarations are refused, or undefined when there is none or one plain one. */
export function doctypeProblem(text: string): string | undefined {
  if (!/<!doctype/i.test(text)) return undefined;
  let prolog = true;
  let declared = false;
  for (let i = 0; ; ) {
    const lt = text.indexOf('<', i);
    if (lt < 0) return undefined;
    const end = opaqueEnd(text, lt);
    if (end !== undefined) {
      // Unclosed: the parser refuses it anyway; a DOCTYPE after it is refused here whatever it reads.
      if (end < 0) return /<!doctype/i.test(text.slice(lt)) ? 'DTDs are not allowed' : undefined;
      i = end;
      continue;
    }
    DOCTYPE_START.lastIndex = lt;
    if (DOCTYPE_START.test(text)) {
      if (!prolog || declared) return 'DTDs are not allowed: a DOCTYPE after the root or a second one';
      PLAIN_DOCTYPE.lastIndex = lt;
      if (!PLAIN_DOCTYPE.test(text))
        return 'DTDs are not allowed: a DOCTYPE with an internal subset or an external identifier';
      declared = true;
      i = PLAIN_DOCTYPE.lastIndex;
      continue;
    }
    if (text[lt + 1] !== '!') prolog = false;
    i = lt + 1;
  }
}

const ENTITY_START = /<!entity/iy;

/**
 * Why the text is refused for an entity declaration, or undefined: "<!ENTITY" (any case) outside comments, CDATA
 * sections and processing instructions, or after one that never ends, is refused; inside them it is text.
 */
export function entityDeclarationProblem(text: string): string | undefined {
  if (!/<!entity/i.test(text)) return undefined;
  const problem = 'DTDs and entity declarations are not allowed';
  for (let i = 0; ; ) {
    const lt = text.indexOf('<', i);
    if (lt < 0) return undefined;
    const end = opaqueEnd(text, lt);
    if (end !== undefined) {
      if (end < 0) return /<!entity/i.test(text.slice(lt)) ? problem : undefined;
      i = end;
      continue;
    }
    ENTITY_START.lastIndex = lt;
    if (ENTITY_START.test(text)) return problem;
    i = lt + 1;
  }
}

type DocNode = {
  nodeType: number;
  childNodes?: ArrayLike<DocNode>;
  publicId?: string;
  systemId?: string;
  internalSubset?: string;
};

/** The same rule on the parsed document: at most one DocumentType node, and it declares and names nothing. */
export function documentTypeProblem(doc: DocNode): string | undefined {
  const types = Array.from(doc.childNodes ?? []).filter((n) => n.nodeType === 10);
  if (types.length > 1) return 'DTDs are not allowed: more than one DOCTYPE';
  const t = types[0];
  if (t && (t.publicId || t.systemId || t.internalSubset))
    return 'DTDs are not allowed: a DOCTYPE with an internal subset or an external identifier';
  return undefined;
}
