// Holds the exports of maillage to the published rules of each format, with tools that are not
// maillage's own (npm, test-only):
//   node validate.mjs DIR
// where DIR holds what ExportActors wrote: actors.geojson, data_inclusion.json, jsonld.json,
// gogocarto.json. Prints one line per check and exits 1 when any fails.
//   - GeoJSON: @placemarkio/check-geojson (RFC 7946), then properties.name a string, an id, and
//     list properties as arrays.
//   - data·inclusion structures: ajv (JSON Schema 2020-12 + formats) with rules/
//     data_inclusion_structure.schema.json, derived from the published schema v1.
//   - schema.org JSON-LD: jsonld expands the document (the schema.org context served locally as
//     its @vocab, since tests run offline) and every term must become a schema.org IRI; then ajv
//     with rules/schema_org_organization.schema.json (the properties schema.org defines).
//   - GoGoCarto: ajv with rules/gogocarto_element.schema.json, derived from GoGoCarto's docs.
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {check as checkGeoJson} from '@placemarkio/check-geojson';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import jsonld from 'jsonld';

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = process.argv[2];
if (!dir) {
  console.error('usage: node validate.mjs DIR');
  process.exit(2);
}

let failures = 0;
function report(name, problems) {
  if (problems.length === 0) {
    console.log(`ok   ${name}`);
  } else {
    failures += 1;
    console.log(`FAIL ${name}`);
    for (const p of problems.slice(0, 20)) console.log(`     ${p}`);
  }
}

function read(file) {
  const text = fs.readFileSync(path.join(dir, file), 'utf8');
  return {text, json: JSON.parse(text)};
}

const ajv = new Ajv2020({allErrors: true, strict: true, allowUnionTypes: true});
addFormats(ajv);
function schema(file) {
  return ajv.compile(JSON.parse(fs.readFileSync(path.join(here, 'rules', file), 'utf8')));
}
function validateEach(items, validate, label) {
  const problems = [];
  items.forEach((item, i) => {
    if (!validate(item)) {
      for (const e of validate.errors) {
        problems.push(`${label}[${i}]${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
      }
    }
  });
  return problems;
}
function atLeast(items, n, label) {
  return items.length >= n ? [] : [`${label}: ${items.length} items, expected at least ${n}`];
}

// GeoJSON.
{
  const {text, json} = read('actors.geojson');
  const problems = [];
  try {
    checkGeoJson(text);
  } catch (e) {
    for (const issue of e.issues ?? [e]) problems.push(`RFC 7946: ${issue.message}`);
  }
  problems.push(...atLeast(json.features ?? [], 1, 'features'));
  for (const [i, f] of (json.features ?? []).entries()) {
    if (typeof f.properties?.name !== 'string' || f.properties.name === '') {
      problems.push(`features[${i}].properties.name is not a display name`);
    }
    if (typeof f.id !== 'number' && typeof f.id !== 'string') problems.push(`features[${i}] has no id`);
    for (const list of ['themes', 'network_categories', 'address.lines', 'labels.siae_types']) {
      if (!Array.isArray(f.properties?.[list])) problems.push(`features[${i}].${list} is not an array`);
    }
  }
  report('GeoJSON (RFC 7946, @placemarkio/check-geojson; name, id, arrays)', problems);
}

// data·inclusion structures.
{
  const {json} = read('data_inclusion.json');
  const problems = Array.isArray(json) ? [] : ['not a JSON array of structures'];
  const items = Array.isArray(json) ? json : [];
  problems.push(...atLeast(items, 1, 'structures'));
  problems.push(...validateEach(items, schema('data_inclusion_structure.schema.json'), 'structure'));
  items.forEach((s, i) => {
    for (const r of s.reseaux_porteurs ?? []) {
      if (r !== 'siae') problems.push(`structure[${i}].reseaux_porteurs: ${r} is not checked`);
    }
  });
  report('data·inclusion structure v1 (ajv, derived schema)', problems);
}

// schema.org Organization, JSON-LD.
{
  const {json} = read('jsonld.json');
  const problems = [];
  if (json['@context'] !== 'https://schema.org') problems.push('@context is not https://schema.org');
  const graph = Array.isArray(json['@graph']) ? json['@graph'] : [];
  problems.push(...atLeast(graph, 1, '@graph'));
  problems.push(...validateEach(graph, schema('schema_org_organization.schema.json'), '@graph'));
  const documentLoader = async (url) => {
    if (url.replace(/\/$/, '') !== 'https://schema.org' && url !== 'http://schema.org') {
      throw new Error(`unexpected remote context ${url}`);
    }
    return {contextUrl: null, documentUrl: url,
            document: {'@context': {'@vocab': 'https://schema.org/'}}};
  };
  try {
    const expanded = await jsonld.expand(json, {documentLoader, safe: true});
    const walk = (node, where) => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${where}[${i}]`));
      if (node === null || typeof node !== 'object') return;
      for (const [key, value] of Object.entries(node)) {
        if (!key.startsWith('@') && !key.startsWith('https://schema.org/')) {
          problems.push(`${where}: term ${key} is not schema.org`);
        }
        if (key === '@type') {
          for (const t of [].concat(value)) {
            if (!t.startsWith('https://schema.org/')) problems.push(`${where}: type ${t}`);
          }
        }
        walk(value, `${where}.${key}`);
      }
    };
    walk(expanded, 'expanded');
    const organizations = expanded.filter(
        (n) => [].concat(n['@type'] ?? []).includes('https://schema.org/Organization'));
    if (organizations.length !== graph.length) {
      problems.push(`${organizations.length} Organization nodes after expansion, ${graph.length} in @graph`);
    }
  } catch (e) {
    problems.push(`JSON-LD expansion: ${e.message}`);
  }
  report('schema.org Organization JSON-LD (jsonld expansion, ajv)', problems);
}

// GoGoCarto.
{
  const {json} = read('gogocarto.json');
  const problems = Array.isArray(json) ? [] : ['not a JSON array of elements'];
  const items = Array.isArray(json) ? json : [];
  problems.push(...atLeast(items, 1, 'elements'));
  problems.push(...validateEach(items, schema('gogocarto_element.schema.json'), 'element'));
  report('GoGoCarto elements (ajv, derived from its docs)', problems);
}

process.exit(failures ? 1 : 0);
