#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Every suite, in order of cost: sanity, units, sandbox and SMAPI contract, integration on the
# sandbox. Prints how long each took and a closing count; stops at the first failing suite.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${ANSIBLE_COLLECTIONS_PATH:?run this through make}"
: "${PY_VERSION:?run this through make}"
collection="$ANSIBLE_COLLECTIONS_PATH/ansible_collections/skillops/alexa"
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
passed=0
summary=()

suite() {  # suite NAME COUNT_COMMAND -- COMMAND...
  local name=$1 count=$2 start end n
  shift 3
  echo "=== $name"
  start=$(date +%s)
  if ! "$@" 2>&1 | tee "$logs/$name.log"; then
    echo "=== $name FAILED"
    echo "tests: $passed passed, 1 failed"
    exit 1
  fi
  end=$(date +%s)
  n=$(eval "$count" < "$logs/$name.log" || true)
  passed=$((passed + ${n:-0}))
  summary+=("$(printf '%-12s %4d passed  %4ds' "$name" "$n" $((end - start)))")
}

# ansible-test units runs pytest once per plugin type: add up every summary line.
pytest_passed='grep -Eo "[0-9]+ passed" | awk "{n += \$1} END {print n + 0}"'
started=$(date +%s)
suite sanity 'grep -c "^Running sanity test"' -- \
  bash -c "cd '$collection' && ansible-test sanity --venv --python '$PY_VERSION' --color no"
suite lint 'grep -Eo "in [0-9]+ files processed" | grep -Eo "[0-9]+"' -- \
  bash -c "ansible-lint --nocolor"
suite units "$pytest_passed" -- \
  bash -c "cd '$collection' && ansible-test units --venv --python '$PY_VERSION' --requirements --color no"
suite sandbox "$pytest_passed" -- \
  env SMAPI_SPEC="$PWD/.cache/npm/node_modules/ask-smapi-model/spec.json" \
  python -m pytest -q -p no:cacheprovider tests/sandbox tests/contract
suite integration 'grep -c "All assertions passed"' -- \
  hacking/with-sandbox.sh tests/sandbox/seeds/test.yml hacking/integration.sh

echo
echo "=== summary"
printf '%s\n' "${summary[@]}"
echo "total time $(( $(date +%s) - started ))s"
echo "tests: $passed passed, 0 failed"
