// biome-ignore-all lint/suspicious/noControlCharactersInRegex: control characters are what these tests are about
/**
 * Attack class: hostile text in a JUnit report. CI shows the report's test names and messages in a web page
 * (GitLab, Jenkins, Azure DevOps) long after the run: a file name or a server's text carrying a bidi override
 * reorders what the reviewer reads, a zero-width or C1 character hides, and a character XML cannot carry that is
 * silently dropped makes two different files one name. Each is shown as a visible `\uXXXX`, as on the terminal;
 * the report stays well-formed XML.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { requireTool } from '@thgov/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DoctorReport, renderDoctorJunit } from '../../src/index.js';
import { cli, makeFixtures } from '../helpers.js';

const xmllint = requireTool('xmllint', { why: 'a second opinion that the JUnit file is well-formed XML' });

/** What a reader of the XML is shown: C0/C1 controls, DEL, line/paragraph separators and format characters. */
const HIDDEN_OR_REORDERING = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\p{Cf}]/u;

/** The attribute values an XML parser hands CI: entities resolved, tab/CR/LF folded to spaces (XML 1.0 §3.3.3). */
function attributeValues(xml: string, element: string, attribute: string): string[] {
  const re = new RegExp(`<${element} [^>]*?\\b${attribute}="([^"]*)"`, 'g');
  return [...xml.matchAll(re)].map((m) =>
    (m[1] ?? '')
      .replace(/[\t\n\r]/g, ' ')
      .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
      .replace(/&#x([0-9a-f]+);/gi, (_, n: string) => String.fromCodePoint(Number.parseInt(n, 16)))
      .replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) =>
        e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'quot' ? '"' : e === 'apos' ? "'" : '&',
      ),
  );
}

let fx: Awaited<ReturnType<typeof makeFixtures>>;
let folder: string;
let junit: string;
/** File names a folder of transcripts may hold (anyone who can drop a file in the inbox chooses them). */
const NAMES = [
  'a.pdf',
  'a\u0001.pdf',
  'a\u001b.pdf',
  'a\u200b.pdf',
  'a\u0085.pdf',
  'two\nlines.pdf',
  'tab\there.pdf',
  'invoice\u202efdp.exe.pdf',
];

beforeAll(async () => {
  fx = await makeFixtures(1);
  folder = join(fx.dir, 'inbox');
  mkdirSync(folder);
  for (const name of NAMES) copyFileSync(fx.good[0]!, join(folder, name));
  junit = join(fx.dir, 'names.xml');
  const r = await cli(['transcript', 'verify', '--trust', fx.root, '--junit', junit, folder]);
  expect(r.code, r.stderr).toBe(0);
}, 60_000);
afterAll(() => rmSync(fx.dir, { recursive: true, force: true }));

describe('transcript verify --junit, file names from a folder', () => {
  it('names that differ only by a control or invisible character stay different test cases', () => {
    const names = attributeValues(readFileSync(junit, 'utf8'), 'testcase', 'name');
    expect(names).toHaveLength(NAMES.length);
    expect(new Set(names).size).toBe(NAMES.length);
  });

  it('no bidi override, C1, zero-width or raw control reaches the report: each is shown as \\uXXXX', () => {
    const xml = readFileSync(junit, 'utf8');
    const names = attributeValues(xml, 'testcase', 'name');
    for (const n of names) expect(n).not.toMatch(HIDDEN_OR_REORDERING);
    expect(names).toContain(join(folder, 'a\\u0001.pdf'));
    expect(names).toContain(join(folder, 'a\\u001b.pdf'));
    expect(names).toContain(join(folder, 'a\\u200b.pdf'));
    expect(names).toContain(join(folder, 'a\\u0085.pdf'));
    expect(names).toContain(join(folder, 'invoice\\u202efdp.exe.pdf'));
  });

  it('a line break or tab in a name is not folded into a space by the XML parser: it is shown', () => {
    const names = attributeValues(readFileSync(junit, 'utf8'), 'testcase', 'name');
    expect(names).toContain(join(folder, 'two\\u000alines.pdf'));
    expect(names).toContain(join(folder, 'tab\\u0009here.pdf'));
    expect(names).not.toContain(join(folder, 'two lines.pdf'));
  });

  xmllint.it('the report is well-formed XML: xmllint --noout', () => {
    execFileSync('xmllint', ['--noout', junit], { stdio: 'pipe' });
  });
});

describe('renderDoctorJunit, text a server sent', () => {
  const hostile = 'refused\u0001 by\ud800 gate\ufffe \u202eKO\u202c ]]> x';
  const report: DoctorReport = {
    version: 1,
    tool: 'thgov doctor',
    startedAt: new Date(0).toISOString(),
    durationInMs: 10,
    ok: false,
    platforms: ['exchange'],
    summary: { total: 1, passed: 0, warned: 0, failed: 1, skipped: 0 },
    checks: [
      {
        id: 'exchange.validate',
        platform: 'exchange',
        title: 'token validate',
        status: 'fail',
        durationInMs: 10,
        message: hostile,
        cause: `line one\nline two\r${hostile}`,
        errorCode: 'ERR_AUTH',
      },
    ],
  };

  it('characters XML cannot carry (lone surrogate, U+FFFE, C0) are shown as \\uXXXX, not dropped', () => {
    const xml = renderDoctorJunit(report);
    const [message] = attributeValues(xml, 'failure', 'message');
    expect(message).toBe('refused\\u0001 by\\ud800 gate\\ufffe \\u202eKO\\u202c ]]> x');
    expect(xml).not.toMatch(HIDDEN_OR_REORDERING);
    expect(xml).not.toMatch(/[\ud800-\udfff\ufffe\uffff]/u);
    expect(xml).not.toContain(']]>');
  });

  it('the body keeps its line breaks (it is several lines), a carriage return is shown', () => {
    const xml = renderDoctorJunit(report);
    expect(xml).toContain('cause: line one\nline two\\u000drefused\\u0001');
  });
});
