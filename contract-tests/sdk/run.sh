#!/usr/bin/env bash
# The SDKs a new user would generate from the spec, proven against a running spci.
#
#     contract-tests/sdk/run.sh <api root, e.g. http://127.0.0.1:5000/api/v1> <python venv>
#
# 1. openapi-generator (python, typescript-fetch) on the spec prints no warning of its own:
#    only those it also prints for a trivial spec (codegen's fixture) are the generator's.
# 2. openapi-python-client generates `spci_client`; mypy --strict checks it with the workflow;
#    the workflow runs against the server.
# 3. @hey-api/openapi-ts generates the TypeScript client; tsc --strict compiles it with the
#    workflow; the workflow runs against the server.
# Generated clients go to a temporary directory, never into the repository. The server must be
# the demo (its admin account) with SPCI_RATE_CREDENTIALS of at least 10 (each workflow logs in
# twice per run; the limit stays on).
set -euo pipefail
API=$1
VENV=$2
HERE=$(cd "$(dirname "$0")" && pwd)
SPEC="$HERE/../../openapi-ci-api.yaml"
TRIVIAL="$HERE/../../codegen/tests/fixtures/minimal.yaml"
WORK=$(mktemp -d /tmp/spci-sdk.XXXXXX)

# ruff: openapi-python-client formats and lints what it generates with it (its post hooks).
"$VENV/bin/pip" install -q openapi-generator-cli==7.26.0 openapi-python-client==0.29.1 mypy==1.19.1 \
  ruff==0.14.10
export PATH="$VENV/bin:$PATH"

warnings() { # generator, spec -> the generator's WARN lines, one per kind
  "$VENV/bin/openapi-generator-cli" generate -g "$1" -i "$2" -o "$WORK/og-$1-$(basename "$2")" 2>&1 \
    | grep -E '\bWARN\b' | sed -E 's/^.*WARN +//' | sort -u || true
}
for g in python typescript-fetch; do
  own=$(comm -23 <(warnings "$g" "$SPEC") <(warnings "$g" "$TRIVIAL"))
  if [ -n "$own" ]; then
    echo "openapi-generator $g warns on the spec:"; echo "$own"; exit 1
  fi
  echo "openapi-generator $g: no warning of the spec's"
done

# Python: openapi-python-client, mypy --strict, the workflow.
out=$("$VENV/bin/openapi-python-client" generate --path "$SPEC" --meta none \
  --output-path "$WORK/py/spci_client" 2>&1)
echo "$out"
if grep -qiE "warning|skipping|error" <<<"$out"; then
  echo "openapi-python-client did not take the whole spec"; exit 1
fi
cp "$HERE/python/workflow.py" "$HERE/python/mypy.ini" "$WORK/py/"
(cd "$WORK/py" && "$VENV/bin/mypy" --config-file mypy.ini spci_client workflow.py)
(cd "$WORK/py" && "$VENV/bin/python" workflow.py "$API")

# TypeScript: @hey-api/openapi-ts, tsc --strict, the workflow.
cp "$HERE/typescript/workflow.ts" "$HERE/typescript/tsconfig.json" "$HERE/typescript/package.json" "$WORK/"
(cd "$WORK" && npm install --no-audit --no-fund --silent \
  && ./node_modules/.bin/openapi-ts -i "$SPEC" -o client \
  && ./node_modules/.bin/tsc -p . \
  && node dist/workflow.js "$API")
rm -rf "$WORK"
