#!/usr/bin/env bash
# The OpenAPI half of the partner test: fetches /openapi.json from a running gateway, validates
# it (@seriousme/openapi-schema-validator), generates a typed client from it (openapi-typescript),
# type-checks the partner scenario against it (tsc) and runs it with openapi-fetch.
#
#   openapi_client.sh <gateway base URL> <API key> <work folder>
#
# The npm packages of package.json / package-lock.json are installed with `npm ci` into
# <work folder>/npm (once per lock file; npm registry needed the first time). Fails, never
# skips, when node/npm is missing or any step fails.
set -euo pipefail
[[ $# -eq 3 ]] || { echo "usage: $0 <base URL> <API key> <work folder>" >&2; exit 2; }
base=$1 key=$2 work=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed" >&2; exit 1; }
done

npm_dir="$work/npm"
mkdir -p "$npm_dir"
stamp="$npm_dir/.installed-$(sha256sum "$here/package-lock.json" | cut -c1-16)"
if [[ ! -f $stamp ]]; then
  cp "$here/package.json" "$here/package-lock.json" "$npm_dir/"
  (cd "$npm_dir" && npm ci --no-audit --no-fund --silent) ||
    { echo "FAIL: npm ci (is the npm registry reachable?)" >&2; exit 1; }
  touch "$stamp"
fi

# Node resolves the packages from the working folder (and the scripts' folder): run in $npm_dir.
cd "$npm_dir"
run="$npm_dir/run"
rm -rf "$run" && mkdir -p "$run"
node -e 'fetch(process.argv[1]).then(async r => { if (!r.ok) process.exit(1);
  process.stdout.write(await r.text()); })' "$base/openapi.json" > "$run/openapi.json"
node --input-type=module -e '
  import { readFileSync } from "node:fs";
  import { Validator } from "@seriousme/openapi-schema-validator";
  const result = await new Validator().validate(JSON.parse(readFileSync(process.argv[1], "utf8")));
  if (!result.valid) { console.error(JSON.stringify(result.errors, null, 2)); process.exit(1); }
  console.log("openapi.json is a valid OpenAPI document");' "$run/openapi.json" 2>&1 ||
  { echo "FAIL: /openapi.json does not validate" >&2; exit 1; }
cp "$here/scenario.ts" "$here/tsconfig.json" "$npm_dir/"
npx --no-install openapi-typescript "$run/openapi.json" -o schema.d.ts --silent
npx --no-install tsc -p tsconfig.json || { echo "FAIL: the scenario does not type-check" >&2; exit 1; }
node scenario.js "$base" "$key"
