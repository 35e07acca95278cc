#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The one list of test commands. Usage: hacking/run-tests.sh [SUITE...]
# Suites: sanity, lint, docs (antsibull-docs lint-collection-docs of the plugin, role and extra docs;
# antsibull-changelog lint of the fragments and of changelog.yaml; the docsite's pages of the EDA
# plugins: tests/docs), units, sandbox (the sandbox's own tests, the SMAPI contract test and the
# official ASK CLI against the sandbox), package (the tarball:
# its contents, installed from it on its own with its unit tests and make demo's workflow, and the
# execution and decision environments' build contexts from ansible-builder create),
# hostile (the modules, the lookup and the event source against a hostile SMAPI/LWA server: redirects,
# dripping answers, echoed secrets, unusable answers, endless pages: tests/hostile),
# eda (the rulebooks of extensions/eda/ on the real ansible-rulebook against a fresh sandbox: tests/eda),
# integration (ansible-test integration on a fresh sandbox; INTEGRATION_TARGETS names targets).
# Without arguments every suite runs, cheapest first; named suites run in the order given.
# Runs on lane $LANE of hacking/lanes (main if unset); hacking/test-lanes.sh runs every lane.
# Prints how long each took and a closing count; stops at the first failing suite.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=hacking/lane-env.sh
. hacking/lane-env.sh
collection="$ANSIBLE_COLLECTIONS_PATH/ansible_collections/skillops/alexa"
all_suites=(sanity lint docs units sandbox package hostile eda integration)

# The other lanes have only ansible-core and the collection's requirements: lint, docs, the sandbox,
# the package, the hostile and the eda suites would run on main's tools.
[ "$LANE" = main ] || all_suites=(sanity units integration)

[ $# -gt 0 ] || set -- "${all_suites[@]}"
for name in "$@"; do
  [[ " ${all_suites[*]} " == *" $name "* ]] || {
    echo "unknown suite '$name' on lane $LANE (suites: ${all_suites[*]})" >&2
    exit 2
  }
done

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
passed=0
summary=()

failed() {  # failed NAME
  echo "=== $1 FAILED"
  echo "tests: $passed passed, 1 failed"
  exit 1
}

suite() {  # suite NAME COUNT_COMMAND -- COMMAND...
  local name=$1 count=$2 start end n
  shift 3
  echo "=== $name"
  start=$(date +%s)
  "$@" 2>&1 | tee "$logs/$name.log" || failed "$name"
  end=$(date +%s)
  n=$(eval "$count" < "$logs/$name.log" || true)
  passed=$((passed + ${n:-0}))
  summary+=("$(printf '%-12s %4d passed  %4ds' "$name" "$n" $((end - start)))")
}

# ansible-test units runs pytest once per plugin type: add up every summary line.
# shellcheck disable=SC2016  # expanded later, by eval in suite()
pytest_passed='grep -Eo "[0-9]+ passed" | awk "{n += \$1} END {print n + 0}"'
# The "ok" lines of checks and pytest's count together.
# shellcheck disable=SC2016  # expanded later, by eval in suite()
ok_and_pytest_passed='grep -Eo "^ok |[0-9]+ passed" | awk "{n += (\$1 == \"ok\" ? 1 : \$1)} END {print n + 0}"'

run_suite() {  # run_suite NAME
  case $1 in
    sanity)
      suite sanity 'grep -c "^Running sanity test"' -- \
        bash -c "cd '$collection' && ansible-test sanity --venv --python '$PY_VERSION' --color no" ;;
    lint)
      suite lint 'grep -Eo "in [0-9]+ files processed" | grep -Eo "[0-9]+"' -- \
        ansible-lint --nocolor ;;
    docs)
      hacking/docs-deps.sh || failed docs  # antsibull-docs, pinned; not part of the bootstrap
      # The checkout itself (its git files), with amazon.aws and community.aws from the build tree:
      # references to their plugins and to ansible.builtin are checked too.
      suite docs "$ok_and_pytest_passed" -- bash -c '
        set -e
        antsibull-docs lint-collection-docs --plugin-docs --check-extra-docs-refs \
          --validate-collection-refs dependent --disallow-unknown-collection-refs .
        echo "ok antsibull-docs lint-collection-docs --plugin-docs"
        antsibull-changelog lint
        echo "ok antsibull-changelog lint"
        antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml
        echo "ok antsibull-changelog lint-changelog-yaml"
        python -m pytest -q -p no:cacheprovider tests/docs' ;;
    units)
      suite units "$pytest_passed" -- \
        bash -c "cd '$collection' && ansible-test units --venv --python '$PY_VERSION' --requirements --color no" ;;
    sandbox)
      hacking/npm-deps.sh || failed sandbox
      suite sandbox "$pytest_passed" -- \
        env SMAPI_SPEC="$PWD/.cache/npm/node_modules/ask-smapi-model/spec.json" \
        python -m pytest -q -p no:cacheprovider tests/sandbox tests/contract tests/cli ;;
    package)
      suite package "$pytest_passed" -- \
        python -m pytest -q -p no:cacheprovider tests/package ;;
    hostile)
      suite hostile "$pytest_passed" -- \
        python -m pytest -q -p no:cacheprovider tests/hostile ;;
    eda)
      # ansible-rulebook's rule engine runs in a JVM.
      java -version >/dev/null 2>&1 || {
        echo "the eda suite needs a Java 17 (or later) runtime for ansible-rulebook: install one (Debian:" \
             "apt-get install openjdk-17-jre-headless) or put its bin/ on PATH" >&2
        failed eda
      }
      suite eda "$pytest_passed" -- \
        hacking/with-sandbox.sh tests/sandbox/seeds/demo.yml \
        bash -c 'set -a && . tests/sandbox/seeds/demo.env && set +a && exec python -m pytest -q -p no:cacheprovider tests/eda' ;;
    integration)
      local targets
      read -ra targets <<< "${INTEGRATION_TARGETS:-}"
      if [ ${#targets[@]} -eq 0 ] || [[ " ${targets[*]} " == *" ask_cli_adoption "* ]]; then
        hacking/npm-deps.sh || failed integration  # the ASK CLI, for the ask_cli_adoption target
      fi
      suite integration 'grep -c "All assertions passed"' -- \
        hacking/with-sandbox.sh tests/sandbox/seeds/test.yml hacking/integration.sh "${targets[@]}" ;;
  esac
}

started=$(date +%s)
for name in "$@"; do
  run_suite "$name"
done

echo
echo "=== summary"
printf '%s\n' "${summary[@]}"
echo "total time $(( $(date +%s) - started ))s"
echo "tests: $passed passed, 0 failed"
