#!/usr/bin/env bash
# deploy/k8s/ against the Kubernetes API schemas, offline: every object of every manifest, and of
# what `kubectl kustomize` renders (deploy/k8s and deploy/k8s/migrate), validated by the npm
# package kubernetes-models (the upstream OpenAPI definitions; installed at test time into
# tests/deploy/k8s-schema/ from its package-lock.json). Then an object made invalid must fail.
#   k8s_schema_test.sh REPOSITORY_ROOT
set -euo pipefail
ROOT=$(cd "$1" && pwd)
DIR=$ROOT/tests/deploy/k8s-schema
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

if [[ ! -d $DIR/node_modules/kubernetes-models || $DIR/package-lock.json -nt $DIR/node_modules ]]; then
  (cd "$DIR" && npm ci --no-audit --no-fund >"$WORK/npm.log" 2>&1) ||
    { cat "$WORK/npm.log"; echo "FAIL: npm ci in $DIR"; exit 1; }
fi

# kubectl kustomize: kubectl where installed (Debian's is kubernetes-client; kustomize is built in).
command -v kubectl >/dev/null || { echo "FAIL: kubectl not installed (apt-get install kubernetes-client)"; exit 1; }
kubectl kustomize "$ROOT/deploy/k8s" >"$WORK/rendered.yaml"
kubectl kustomize "$ROOT/deploy/k8s/migrate" >"$WORK/rendered-migrate.yaml"
echo "kubectl kustomize rendered $(grep -c '^kind:' "$WORK/rendered.yaml") + $(grep -c '^kind:' "$WORK/rendered-migrate.yaml") objects"

mapfile -t manifests < <(find "$ROOT/deploy/k8s" -name '*.yaml' ! -name kustomization.yaml | sort)
node "$DIR/validate.js" "${manifests[@]}" "$WORK/rendered.yaml" "$WORK/rendered-migrate.yaml"

# The validator must refuse a wrong object: a string for replicas, a number for a string.
sed -e '0,/replicas: [0-9]*/s//replicas: "two"/' "$WORK/rendered.yaml" >"$WORK/bad1.yaml"
if node "$DIR/validate.js" "$WORK/bad1.yaml" >"$WORK/bad1.out"; then
  echo "FAIL: replicas: \"two\" was accepted"; exit 1
fi
grep -q 'replicas must be integer' "$WORK/bad1.out" || { cat "$WORK/bad1.out"; exit 1; }
sed -e '0,/imagePullPolicy: IfNotPresent/s//imagePullPolicy: IfNotPresent\n        restartPolicy: 3/' \
  "$WORK/rendered.yaml" >"$WORK/bad2.yaml"
if node "$DIR/validate.js" "$WORK/bad2.yaml" >"$WORK/bad2.out" 2>&1; then
  echo "FAIL: a container restartPolicy of 3 was accepted"; exit 1
fi
grep -q 'restartPolicy must be string' "$WORK/bad2.out" || { cat "$WORK/bad2.out"; exit 1; }
echo "PASS: deploy/k8s valid against the Kubernetes API schemas; invalid objects are refused"
