#!/usr/bin/env bash
# Static checks of deploy/ (ctest deploy_lint): yamllint, `docker-compose
# config -q`, `helm lint --strict` and `helm template` for the default and
# every deploy/helm/tern/ci/*-values.yaml, the rendered manifests validated
# offline against Kubernetes schemas (k8s-schema/validate.mjs), and planted
# mistakes (testdata/bad-*.yaml) that each check must reject.
# Tools: scripts/install-deploy-tools.sh (helm, schema checker) and Debian's
# yamllint, docker-compose, nodejs.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
TOOLS="${TERN_TOOLS_DIR:-$ROOT/build/tools}"
HELM="$TOOLS/bin/helm"
CHART="$ROOT/deploy/helm/tern"
TESTDATA="$ROOT/deploy/tests/testdata"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

[ -x "$HELM" ] || { echo "no helm in $TOOLS: run scripts/install-deploy-tools.sh" >&2; exit 2; }
cp "$ROOT/deploy/tests/k8s-schema/validate.mjs" "$TOOLS/k8s-schema/"
validate() { node "$TOOLS/k8s-schema/validate.mjs" "$@"; }

echo "== docker-compose config"
TERN_IMAGE=tern:dev docker-compose -f "$ROOT/deploy/docker-compose.yml" config -q ||
  fail "docker-compose config"

echo "== helm lint and template"
value_sets=(default)
for f in "$CHART"/ci/*-values.yaml; do value_sets+=("$f"); done
for values in "${value_sets[@]}"; do
  args=()
  name=default
  if [ "$values" != default ]; then args=(-f "$values"); name="$(basename "$values" .yaml)"; fi
  "$HELM" lint --strict "$CHART" "${args[@]}" >"$OUT/lint-$name.txt" 2>&1 ||
    { cat "$OUT/lint-$name.txt"; fail "helm lint ($name)"; }
  "$HELM" template tern-ci "$CHART" --namespace tern "${args[@]}" >"$OUT/$name.yaml" ||
    fail "helm template ($name)"
  echo "$name: $(grep -c '^kind:' "$OUT/$name.yaml") objects"
done

echo "== yamllint"
yamllint -s -c "$ROOT/deploy/.yamllint" "$ROOT/deploy/docker-compose.yml" \
  "$CHART/Chart.yaml" "$CHART/values.yaml" "$CHART/ci" "$ROOT/deploy/.yamllint" \
  "$TESTDATA" "$OUT"/*.yaml || fail yamllint

echo "== rendered manifests against Kubernetes schemas"
validate "$OUT"/*.yaml || fail "schema validation"

echo "== planted mistakes must be rejected"
for bad in "$TESTDATA"/bad-manifest-*.yaml; do
  if validate "$bad" >"$OUT/bad.txt" 2>&1; then
    fail "$(basename "$bad") passed the schema check"
  else
    echo "rejected $(basename "$bad"): $(grep -v ' objects, ' "$OUT/bad.txt" | head -1)"
  fi
done
for bad in "$TESTDATA"/bad-values-*.yaml; do
  if "$HELM" template tern-ci "$CHART" -f "$bad" >/dev/null 2>"$OUT/bad.txt"; then
    fail "$(basename "$bad") rendered"
  else
    echo "rejected $(basename "$bad"): $(grep -v -e '^$' -e 'Use --debug' "$OUT/bad.txt" | tail -1)"
  fi
done

if [ "$failures" -ne 0 ]; then
  echo "check-deploy: $failures failure(s)" >&2
  exit 1
fi
echo "check-deploy: all passed"
