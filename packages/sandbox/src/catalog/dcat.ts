import type { ServerResponse } from 'node:http';
import type { ActionContext } from './context.js';
import type { StoredPackage } from './store.js';

/**
 * ckanext-dcat's other endpoints (CKAN 2.10 flavour, where ckanext-dcat 2.3.0 is installed): one dataset as RDF
 * (`/dataset/{id}.{rdf|ttl|jsonld}`), the catalog in each RDF serialization (`/catalog.{rdf|ttl|jsonld}`), and
 * the `dcat_json_interface` plugin's `/dcat.json`. Every serialization writes the same graph.
 */

const DCAT = 'http://www.w3.org/ns/dcat#';
const DCT = 'http://purl.org/dc/terms/';
const RDF = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
const XSD_DATETIME = 'http://www.w3.org/2001/XMLSchema#dateTime';

/** The RDF serializations ckanext-dcat answers for, by file extension. */
export type RdfFormat = 'jsonld' | 'ttl' | 'rdf';
const MEDIA_TYPES: Record<RdfFormat, string> = {
  jsonld: 'application/ld+json',
  ttl: 'text/turtle',
  rdf: 'application/rdf+xml',
};

type Value = { '@value': unknown; '@type'?: string } | { '@id': string };
type RdfNode = Record<string, unknown> & { '@id': string; '@type'?: string[] };

const lit = (v: unknown, type?: string): Value[] => [type ? { '@type': type, '@value': v } : { '@value': v }];

/** One dataset as a dcat:Dataset node (expanded JSON-LD, as rdflib writes it without a context). */
export function datasetNode(p: StoredPackage, site: string): RdfNode {
  return {
    '@id': `${site}/dataset/${p.id}`,
    '@type': [`${DCAT}Dataset`],
    [`${DCT}identifier`]: lit(p.id),
    [`${DCT}title`]: lit(p.title),
    ...(p.notes ? { [`${DCT}description`]: lit(p.notes) } : {}),
    [`${DCT}modified`]: lit(p.metadata_modified, XSD_DATETIME),
    [`${DCT}issued`]: lit(p.metadata_created, XSD_DATETIME),
    [`${DCAT}keyword`]: ((p.tags as Array<{ name: string }>) ?? []).map((t) => ({ '@value': t.name })),
    [`${DCAT}landingPage`]: [{ '@id': `${site}/dataset/${p.name}` }],
  };
}

/** Each (subject, predicate, object) of the nodes, `@type` as rdf:type. */
function* triples(nodes: readonly unknown[]): Generator<[string, string, Value]> {
  for (const n of nodes as RdfNode[]) {
    for (const t of n['@type'] ?? []) yield [n['@id'], `${RDF}type`, { '@id': t }];
    for (const [p, vs] of Object.entries(n)) {
      if (p.startsWith('@')) continue;
      for (const v of (Array.isArray(vs) ? vs : [vs]) as Value[]) yield [n['@id'], p, v];
    }
  }
}

const turtleString = (s: string) =>
  `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;

function turtle(nodes: readonly unknown[]): string {
  const term = (v: Value) =>
    '@id' in v
      ? `<${v['@id']}>`
      : `${turtleString(String(v['@value']))}${v['@type'] ? `^^<${v['@type']}>` : ''}`;
  let out = '';
  let subject: string | undefined;
  for (const [s, p, o] of triples(nodes)) {
    if (s !== subject) {
      out += `${subject === undefined ? '' : ' .\n\n'}<${s}> <${p}> ${term(o)}`;
      subject = s;
    } else out += ` ;\n    <${p}> ${term(o)}`;
  }
  return `${out}${subject === undefined ? '' : ' .\n'}`;
}

const xmlText = (s: string) =>
  s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] as string);

/** RDF/XML, one rdf:Description per subject; each property element declares its own namespace. */
function rdfXml(nodes: readonly unknown[]): string {
  const bySubject = new Map<string, Array<[string, Value]>>();
  for (const [s, p, o] of triples(nodes)) bySubject.set(s, [...(bySubject.get(s) ?? []), [p, o]]);
  let out = `<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF xmlns:rdf="${RDF}">\n`;
  for (const [s, props] of bySubject) {
    out += `  <rdf:Description rdf:about="${xmlText(s)}">\n`;
    for (const [p, o] of props) {
      const cut = Math.max(p.lastIndexOf('#'), p.lastIndexOf('/')) + 1;
      const el = `ns:${p.slice(cut)} xmlns:ns="${xmlText(p.slice(0, cut))}"`;
      out +=
        '@id' in o
          ? `    <${el} rdf:resource="${xmlText(o['@id'])}"/>\n`
          : `    <${el}${o['@type'] ? ` rdf:datatype="${xmlText(o['@type'])}"` : ''}>${xmlText(String(o['@value']))}</ns:${p.slice(cut)}>\n`;
    }
    out += '  </rdf:Description>\n';
  }
  return `${out}</rdf:RDF>\n`;
}

/** Writes the graph in the asked serialization with its media type. */
export function sendRdf(res: ServerResponse, nodes: readonly unknown[], format: RdfFormat): void {
  const body = format === 'jsonld' ? JSON.stringify(nodes) : format === 'ttl' ? turtle(nodes) : rdfXml(nodes);
  res.writeHead(200, { 'content-type': `${MEDIA_TYPES[format]}; charset=utf-8` });
  res.end(body);
}

/** CKAN's HTML 404: ckanext-dcat answers an unknown dataset, and one the caller may not read, alike. */
function notFoundPage(res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
  res.end(
    '<!DOCTYPE html><html><head><title>Not found - CKAN</title></head><body><h1>404 Not Found</h1></body></html>',
  );
}

/** `/dataset/{id}.{rdf|ttl|jsonld}`: one dataset by id or name; unknown, deleted or private → the HTML 404. */
export function sendDcatDataset(
  res: ServerResponse,
  ctx: ActionContext,
  idOrName: string,
  format: RdfFormat,
): void {
  const pkg = ctx.store.findPackage(idOrName);
  if (pkg?.state === 'active' && ctx.store.canRead(ctx.user, pkg))
    sendRdf(res, [datasetNode(pkg, ctx.settings.siteUrl)], format);
  else notFoundPage(res);
}

/**
 * `/dcat.json?page=n` (dcat_json_interface): public datasets, 100 a page, newest first, each as ckanext-dcat's
 * `ckan_to_dcat` writes it (title, description, landingPage, keyword, publisher from the maintainer,
 * distribution per resource). A plain JSON list: no paging links, an empty list past the last page.
 */
export function sendDcatJson(res: ServerResponse, ctx: ActionContext, query: URLSearchParams): void {
  const perPage = 100;
  const page = Math.max(1, Number(query.get('page') ?? '1') || 1);
  const all = [...ctx.store.packages.values()]
    .filter((p) => p.state === 'active' && !p.private)
    .sort((a, b) => (a.metadata_modified < b.metadata_modified ? 1 : -1));
  const list = all.slice((page - 1) * perPage, page * perPage).map((p) => {
    const maintainer = typeof p.maintainer === 'string' && p.maintainer ? p.maintainer : undefined;
    const email =
      typeof p.maintainer_email === 'string' && p.maintainer_email ? p.maintainer_email : undefined;
    const resources = (p.resources as Array<Record<string, unknown>> | undefined) ?? [];
    return {
      title: p.title,
      description: p.notes ?? null,
      landingPage: p.url ?? null,
      keyword: ((p.tags as Array<{ name: string }>) ?? []).map((t) => t.name),
      publisher: maintainer ? { name: maintainer, ...(email ? { mbox: email } : {}) } : {},
      distribution: resources
        // thai_gdc's resource_private hides the resource from anonymous readers here too.
        .filter((r) => r.resource_private !== 'True')
        .map((r) => ({
          title: r.name ?? null,
          description: r.description ?? null,
          format: r.format ?? null,
          byteSize: r.size ?? null,
          accessURL: r.url ?? null,
        })),
    };
  });
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(list));
}
