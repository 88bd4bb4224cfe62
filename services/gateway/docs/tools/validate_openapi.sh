#!/usr/bin/env bash
# Validates the gateway's OpenAPI document with two independent validators from npm:
# @seriousme/openapi-schema-validator (the official OpenAPI 3.0 JSON schema) and
# @apidevtools/swagger-parser (schema and resolution of every $ref); then checks what neither
# checks for OpenAPI 3: the path parameters of each operation are exactly the `{names}` of its
# path, and operationIds are unique.
#
#   validate_openapi.sh <maillage-openapi binary> <cache folder>
#
# The validators are installed once into <cache folder> (npm registry needed the first time).
# Fails, never skips, when node/npm is missing, the install fails or the document is invalid.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 <maillage-openapi binary> <cache folder>" >&2
  exit 2
fi
generator=$1
cache=$2
readonly SCHEMA_VALIDATOR="@seriousme/openapi-schema-validator@2.11.0"
readonly SWAGGER_PARSER="@apidevtools/swagger-parser@13.1.0"

for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed" >&2; exit 1; }
done

mkdir -p "$cache"
stamp="$cache/.installed-$(echo "$SCHEMA_VALIDATOR $SWAGGER_PARSER" | tr -c 'a-zA-Z0-9.\n' '_')"
if [[ ! -f "$stamp" ]]; then
  echo "installing $SCHEMA_VALIDATOR $SWAGGER_PARSER into $cache"
  if ! npm install --prefix "$cache" --no-audit --no-fund --silent \
      "$SCHEMA_VALIDATOR" "$SWAGGER_PARSER" >&2; then
    echo "FAIL: npm install of the validators failed (is the npm registry reachable?)" >&2
    exit 1
  fi
  touch "$stamp"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$generator" > "$work/openapi.json"

cat > "$work/validate.mjs" <<'JS'
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

const [cache, file] = process.argv.slice(2);
const require = createRequire(resolve(cache, "package.json"));
const { Validator } = await import(require.resolve("@seriousme/openapi-schema-validator"));
const SwaggerParser = require("@apidevtools/swagger-parser");

const document = JSON.parse(readFileSync(file, "utf8"));
const result = await new Validator().validate(structuredClone(document));
if (!result.valid) {
  console.error("openapi-schema-validator:", JSON.stringify(result.errors, null, 2));
  process.exit(1);
}
try {
  await SwaggerParser.validate(structuredClone(document));
} catch (error) {
  console.error("swagger-parser:", error.message);
  process.exit(1);
}
const problems = [];
const operationIds = new Set();
let operations = 0;
for (const [path, item] of Object.entries(document.paths)) {
  const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
  for (const [verb, operation] of Object.entries(item)) {
    ++operations;
    const declared = (operation.parameters || [])
      .filter((p) => p.in === "path").map((p) => p.name).sort();
    if (JSON.stringify(declared) !== JSON.stringify(inPath)) {
      problems.push(`${verb} ${path}: path parameters ${declared} but path has ${inPath}`);
    }
    if (operationIds.has(operation.operationId)) {
      problems.push(`duplicate operationId ${operation.operationId}`);
    }
    operationIds.add(operation.operationId);
  }
}
if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(`valid OpenAPI ${document.openapi}: ${Object.keys(document.paths).length} paths, ` +
            `${operations} operations, ${Object.keys(document.components.schemas).length} schemas`);
JS
node "$work/validate.mjs" "$cache" "$work/openapi.json"
