/**
 * Canonical XML 1.1's xml:base fix-up (C14N 1.1 §2.4): join-URI-References (RFC 3986 §5.2 with the modified
 * remove_dot_segments), the values an apex takes from its omitted ancestors, the cases refused rather than guessed,
 * and bounded work on hostile chains. The signatures themselves are tested in @thgov/transcript (JDK fixtures).
 */
import { cpuMsOf } from '@thgov/testkit';
import { describe, expect, it } from 'vitest';
import {
  c14n11ApexAttributes,
  fixedUpXmlBase,
  isXmlC14nError,
  joinUriReferences,
  MAX_XML_BASE_VALUES,
  removeDotSegments11,
  type XmlAttrNode,
  XmlC14nError,
} from '../src/xml-c14n11.js';

const XML_NS = 'http://www.w3.org/XML/1998/namespace';

/** A chain of elements, outermost first, each with the given xml: attributes; returns the innermost. */
function chain(...levels: Record<string, string>[]): XmlAttrNode {
  let parent: XmlAttrNode | null = { nodeType: 9 };
  let node: XmlAttrNode = parent;
  for (const attrs of levels) {
    node = {
      nodeType: 1,
      parentNode: parent,
      attributes: Object.entries(attrs).map(([localName, value]) => ({
        namespaceURI: XML_NS,
        localName,
        value,
      })),
    };
    parent = node;
  }
  return node;
}

describe('join-URI-References against an absolute base (RFC 3986 §5.4)', () => {
  const base = 'http://a/b/c/d;p?q';
  it.each([
    ['g', 'http://a/b/c/g'],
    ['./g', 'http://a/b/c/g'],
    ['g/', 'http://a/b/c/g/'],
    ['/g', 'http://a/g'],
    ['//g', 'http://g'],
    ['?y', 'http://a/b/c/d;p?y'],
    ['g?y', 'http://a/b/c/g?y'],
    [';x', 'http://a/b/c/;x'],
    ['g;x', 'http://a/b/c/g;x'],
    ['', 'http://a/b/c/d;p?q'],
    ['.', 'http://a/b/c/'],
    ['./', 'http://a/b/c/'],
    ['..', 'http://a/b/'],
    ['../', 'http://a/b/'],
    ['../g', 'http://a/b/g'],
    ['../..', 'http://a/'],
    ['../../', 'http://a/'],
    ['../../g', 'http://a/g'],
    ['g.', 'http://a/b/c/g.'],
    ['..g', 'http://a/b/c/..g'],
    ['./../g', 'http://a/b/g'],
    ['./g/.', 'http://a/b/c/g/'],
    ['g/./h', 'http://a/b/c/g/h'],
    ['g/../h', 'http://a/b/c/h'],
    ['https://other.example/x/../y', 'https://other.example/y'],
  ])('%j → %j', (ref, expected) => {
    expect(joinUriReferences(base, ref)).toBe(expected);
  });
});

describe('join-URI-References with relative values (the C14N 1.1 modification)', () => {
  it.each([
    // Leading ".." segments are kept, "//" becomes "/", a final ".." gets its "/".
    ['a/../../up/x', '../../y/z', '../../y/z'],
    ['foo/bar', '../../x', '../x'],
    ['../', '../x', '../../x'],
    ['a/b/', '..', 'a/'],
    ['a/b/', '../..', ''],
    ['a/b/', '../../..', '../'],
    ['x/', 'term1/..//term2/', 'x/term2/'],
    ['', 'a/./b/../c', 'a/c'],
    ['a/', '/abs/../x', '/x'],
  ])('%j then %j → %j', (b, ref, expected) => {
    expect(joinUriReferences(b, ref)).toBe(expected);
  });

  it('keeps "a.." as a segment, not as ".."', () => {
    expect(removeDotSegments11('a../../b')).toBe('b');
    expect(removeDotSegments11('../a../..')).toBe('../');
  });
});

describe('cases whose joined value implementations disagree on are refused (XmlC14nError)', () => {
  it.each([
    ['http://a/b/', 'c%2Fd', 'percent-escape'],
    ['http://a/b/', 'c#frag', 'fragment'],
    ['http://a/b/', 'c d', 'characters'],
    ['http://a/b/', 'urn:example:x', 'without an authority'],
    ['file:///tmp/', 'x', 'empty authority'],
    ['a/b/..', 'c', 'ends in a ".." segment'],
    ['http://a/b/', 'http:c', 'without an authority'],
    ['http://a/b/c', '../../../g', 'climbs above its root'],
  ])('%j then %j (%s)', (b, ref, why) => {
    let err: unknown;
    try {
      joinUriReferences(b, ref);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(XmlC14nError);
    expect(isXmlC14nError(err)).toBe(true);
    expect((err as Error).message).toContain(why);
  });
});

describe('what an apex takes from its omitted ancestors', () => {
  it('nearest xml:lang and xml:space, never xml:id; the xml:base chain reduced innermost first', () => {
    const apex = chain(
      { lang: 'th', id: 't1', base: 'http://registrar.example.ac.th/transcripts/2026/' },
      { lang: 'en', space: 'preserve', id: 'r1', base: '../archive/./x/../terms/' },
      { base: 'term1/..//term2/' },
      { base: 'grades.xml' },
    );
    expect(c14n11ApexAttributes(apex)).toEqual([
      ['lang', 'en'],
      ['space', 'preserve'],
      ['base', 'http://registrar.example.ac.th/transcripts/archive/terms/term2/grades.xml'],
    ]);
  });

  it("keeps the apex's own xml:lang, and its own xml:base when no ancestor has one", () => {
    expect(c14n11ApexAttributes(chain({ lang: 'th' }, { lang: 'en', base: 'x/' }))).toEqual([]);
  });

  it('imports a single ancestor value as written', () => {
    expect(fixedUpXmlBase(chain({ base: 'http://h/a/../b/' }, {}))).toBe('http://h/a/../b/');
  });

  it('refuses values that join to nothing', () => {
    expect(() => fixedUpXmlBase(chain({ base: 'a/b/' }, { base: '../..' }, {}))).toThrow(XmlC14nError);
  });
});

describe('hostile chains take bounded time', () => {
  it('refuses thousands of xml:base ancestors without walking the join', () => {
    const levels = Array.from({ length: 5000 }, () => ({ base: 'a/' }));
    const apex = chain(...levels, {});
    const cpuMs = cpuMsOf(() =>
      expect(() => fixedUpXmlBase(apex)).toThrow(`more than ${MAX_XML_BASE_VALUES} xml:base values`),
    );
    expect(cpuMs).toBeLessThan(1000);
  });

  it('joins a chain just under the limit correctly', () => {
    const levels = Array.from({ length: MAX_XML_BASE_VALUES - 1 }, (_, i) => ({
      base: i % 2 ? '../b/' : 'a/',
    }));
    const cpuMs = cpuMsOf(() =>
      expect(fixedUpXmlBase(chain({ base: 'http://h/' }, ...levels, {}))).toBe(
        `http://h/${'b/'.repeat(127)}a/`,
      ),
    );
    expect(cpuMs).toBeLessThan(1000);
  });

  it('refuses a very long xml:base value, and reduces a long dot-segment path in linear-looking time', () => {
    expect(() => fixedUpXmlBase(chain({ base: `http://h/${'x'.repeat(1_000_000)}` }, {}))).toThrow(
      XmlC14nError,
    );
    const cpuMs = cpuMsOf(() => {
      expect(removeDotSegments11(`${'a/'.repeat(50_000)}${'../'.repeat(50_000)}g`)).toBe('g');
      expect(removeDotSegments11('../'.repeat(50_000)).length).toBe(150_000);
    });
    expect(cpuMs).toBeLessThan(2000);
  });
});
