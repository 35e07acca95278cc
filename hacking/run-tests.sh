#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The one list of test commands: `hacking/run-tests.sh SUITE` runs one suite (or prepares the lane:
# prepare); hacking/test.py runs them all side by side and counts. sanity, units and integration are ansible-test, run on lane
# $LANE (main if unset) of noxfile.py's LANES through its nox session (ansible-test-<core>); the
# others run in .venv on the collection hacking/sync.sh installs. LANE=latest: main's suites with
# nothing pinned (hacking/bootstrap.sh --latest's virtualenv, nox sessions of their own).
# Suites: sanity, lint, docs (antsibull-docs lint-collection-docs of the plugin, role and extra docs;
# antsibull-changelog lint of the fragments and of changelog.yaml; the docsite's pages of the EDA
# plugins: tests/docs), units, sandbox (the sandbox's own tests, the SMAPI contract test and the
# official ASK CLI against the sandbox), package (the tarball: its contents, installed from it on
# its own with make demo's workflow, and the execution and decision environments' build contexts
# from ansible-builder create), hostile (the modules, the lookup and the event source against a
# hostile SMAPI/LWA server: redirects, dripping answers, echoed secrets, unusable answers, endless
# pages: tests/hostile), eda (the rulebooks of extensions/eda/ on the real ansible-rulebook against
# a fresh sandbox: tests/eda), integration (ansible-test integration on a fresh sandbox, with the
# arguments INTEGRATION_ARGS: targets, --exclude; all by default).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${SKILLOPS_BUILD:?run this through make}"
# shellcheck source=hacking/lane-requirements.sh
. hacking/lane-requirements.sh
LANE=${LANE:-main}
envdir=()
if [ "$LANE" = latest ]; then
  lane_requirements main
  export PATH="$SKILLOPS_BUILD/latest/venv/bin:$PATH" SKILLOPS_UNPINNED=1
  envdir=(--envdir "$SKILLOPS_BUILD/latest/nox")
else
  lane_requirements "$LANE"
fi
# The lane's nox session: `nox -r` brings its virtualenv to the lock (prepare), `nox -R` takes it as
# the preparation left it.
session=("${envdir[@]}" -s "ansible-test-$ANSIBLE_CORE" --)
# prepare: the lane's session ready (virtualenv, collections); latest first gets .venv's tools unpinned.
all_suites=(prepare sanity lint docs units sandbox package hostile awx eda integration)
# The other lanes differ only in ansible-core (and its Python): the suites that run ansible-test.
[ "$LANE" = main ] || [ "$LANE" = latest ] || all_suites=(prepare sanity units integration)

if [ $# -ne 1 ] || [[ " ${all_suites[*]} " != *" $1 "* ]]; then
  echo "usage: LANE=$LANE $0 SUITE (suites: ${all_suites[*]})" >&2
  exit 2
fi

failed() {  # failed SUITE: a step before the suite's command failed
  echo "=== $1 could not start"
  exit 1
}

run_suite() {  # run_suite NAME
  case $1 in
    prepare)
      if [ "$LANE" = latest ]; then hacking/bootstrap.sh --latest; fi
      nox -r "${session[@]}" prepare ;;
    sanity)
      nox -R "${session[@]}" sanity ;;
    lint)
      ansible-lint --nocolor ;;
    docs)
      # The checkout itself (its git files), with amazon.aws and community.aws from the build tree:
      # references to their plugins and to ansible.builtin are checked too.
      bash -c '
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
      nox -R "${session[@]}" units ;;
    sandbox)
      hacking/npm-deps.sh || failed sandbox
      env SMAPI_SPEC="$PWD/.cache/npm/node_modules/ask-smapi-model/spec.json" \
        python -m pytest -q -p no:cacheprovider tests/sandbox tests/contract tests/cli ;;
    package)
      python -m pytest -q -p no:cacheprovider tests/package ;;
    hostile)
      python -m pytest -q -p no:cacheprovider tests/hostile ;;
    awx)
      # A real AWX API: the controller CONTROLLER_HOST names, else one the kit AWX_KIT names starts
      # (Makefile), else every test is skipped, saying why (-rs).
      python -m pytest -q -rs -p no:cacheprovider tests/awx ;;
    eda)
      # ansible-rulebook's rule engine runs in a JVM.
      java -version >/dev/null 2>&1 || {
        echo "the eda suite needs a Java 17 (or later) runtime for ansible-rulebook: install one (Debian:" \
             "apt-get install openjdk-17-jre-headless) or put its bin/ on PATH" >&2
        failed eda
      }
      hacking/with-sandbox.sh tests/sandbox/seeds/demo.yml \
        bash -c 'set -a && . tests/sandbox/seeds/demo.env && set +a && exec python -m pytest -q -p no:cacheprovider tests/eda' ;;
    integration)
      local args
      read -ra args <<< "${INTEGRATION_ARGS:-}"
      # The ASK CLI, for the ask_cli_adoption target, which only main (and latest) run; the other lanes
      # must not install it while main's preparation does.
      if [ "$LANE" = main ] || [ "$LANE" = latest ]; then
        hacking/npm-deps.sh || failed integration
      fi
      hacking/with-sandbox.sh tests/sandbox/seeds/test.yml nox -R "${session[@]}" integration "${args[@]}" ;;
  esac
}

run_suite "$1"
