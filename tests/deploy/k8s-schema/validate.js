// Validates Kubernetes objects against the upstream OpenAPI schemas (kubernetes-models, offline).
//   node validate.js FILE.yaml...   (multi-document YAML; kustomize's own files are skipped)
// Prints one line per object; exits 1 when any object is invalid or of an unknown kind.
'use strict';
const fs = require('fs');
const yaml = require('js-yaml');

// apiVersion "apps/v1" -> module "kubernetes-models/apps/v1"; "v1" -> "kubernetes-models/v1".
function modelFor(apiVersion, kind) {
  let mod;
  try {
    mod = require(`kubernetes-models/${apiVersion}`);
  } catch (e) {
    return null;
  }
  return mod[kind] || null;
}

let failures = 0;
let checked = 0;
for (const file of process.argv.slice(2)) {
  const docs = yaml.loadAll(fs.readFileSync(file, 'utf8')).filter((d) => d);
  for (const doc of docs) {
    if (String(doc.apiVersion || '').startsWith('kustomize.config.k8s.io/')) continue;
    const where = `${file}: ${doc.kind} ${doc.metadata && doc.metadata.name}`;
    const Model = modelFor(doc.apiVersion, doc.kind);
    if (!Model) {
      console.log(`${where}: unknown apiVersion/kind ${doc.apiVersion} ${doc.kind}`);
      failures++;
      continue;
    }
    try {
      new Model(doc).validate();
      checked++;
    } catch (e) {
      console.log(`${where}: ${e.message}`);
      failures++;
    }
  }
}
console.log(`${checked} objects valid, ${failures} invalid`);
process.exit(failures || checked === 0 ? 1 : 0);
