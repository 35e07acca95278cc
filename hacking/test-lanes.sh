#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# `make test`: the suites of every lane of hacking/lanes, or of the lanes named (make test LANES=...).
# main runs every suite of hacking/run-tests.sh; any other lane runs sanity, the units and the
# integration targets whose aliases say `lanes` (those of the modules, the lookups and the
# independent-developer, endpoint and doctor roles), each in its own virtualenv and collection tree.
# main runs first; the other lanes then run side by side. Ends with one row per lane; a failing
# main stops the run before the others start.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t all_lanes < <(awk '/^[a-z]/ {print $1}' hacking/lanes)
[ $# -gt 0 ] || set -- "${all_lanes[@]}"
for lane in "$@"; do
  [[ " ${all_lanes[*]} " == *" $lane "* ]] || { echo "unknown lane '$lane' (lanes: ${all_lanes[*]})" >&2; exit 2; }
done

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
rows=()
total=0
started=$(date +%s)

versions_of() {  # the lane's versions as installed, for its summary row
  (
    # shellcheck source=hacking/lane-env.sh
    . hacking/lane-env.sh
    "$VENV/bin/python" - "$ANSIBLE_COLLECTIONS_PATH" <<'PY'
import json
import os
import platform
import sys

from ansible.release import __version__

root = os.path.join(sys.argv[1], 'ansible_collections')
collections = []
for name in ('amazon/aws', 'community/aws'):
    with open(os.path.join(root, name, 'MANIFEST.json')) as manifest:
        collections.append('%s %s' % (name.replace('/', '.'), json.load(manifest)['collection_info']['version']))
print('ansible-core %s, Python %s, %s' % (__version__, platform.python_version(), ', '.join(collections)))
PY
  )
}

prepare() {  # prepare LANE: its virtualenv, collections and collection tree, one lane at a time
  LANE=$1 hacking/bootstrap.sh
  LANE=$1 hacking/sync.sh
  LANE=$1 versions_of > "$logs/$1.versions"
}

run_lane() {  # run_lane LANE START [shown]: every suite the lane has, its output in $logs/LANE.log
  local lane=$1 targets
  # Beside main, only the integration targets aliased lanes.
  if [ "$lane" = main ]; then targets=${INTEGRATION_TARGETS:-}; else targets=lanes/; fi
  if [ "${3:-}" = shown ]; then
    LANE=$lane INTEGRATION_TARGETS=$targets hacking/run-tests.sh 2>&1 | tee "$logs/$lane.log" || true
  else
    LANE=$lane INTEGRATION_TARGETS=$targets hacking/run-tests.sh > "$logs/$lane.log" 2>&1 || true
  fi
  echo $(( $(date +%s) - $2 )) > "$logs/$lane.seconds"
}

report() {  # report LANE: its summary row, or stop when it failed
  local lane=$1 versions n
  versions=$(cat "$logs/$lane.versions")
  n=$(tail -n 1 "$logs/$lane.log" | grep -Eo '^tests: [0-9]+ passed, 0 failed' | grep -Eo '^tests: [0-9]+' | grep -Eo '[0-9]+' || true)
  [ -n "$n" ] || { echo "=== lane $lane FAILED ($versions)"; exit 1; }
  total=$((total + n))
  rows+=("$(printf '%-7s %-72s %4d passed %5ds' "$lane" "$versions" "$n" "$(cat "$logs/$lane.seconds")")")
}

# main first, its output as it runs; then the other lanes side by side (each has its own sandbox
# on free ports and its own trees), their output when all of them have ended.
others=()
for lane in "$@"; do
  if [ "$lane" = main ]; then
    start=$(date +%s)
    prepare main
    echo "=== lane main: $(cat "$logs/main.versions")"
    run_lane main "$start" shown
    report main
  else
    others+=("$lane")
  fi
done
if [ ${#others[@]} -gt 0 ]; then
  start=$(date +%s)
  for lane in "${others[@]}"; do prepare "$lane"; done
  echo "=== lanes ${others[*]}, side by side (each lane's output follows when all have ended)"
  pids=()
  for lane in "${others[@]}"; do run_lane "$lane" "$start" & pids+=($!); done
  for pid in "${pids[@]}"; do wait "$pid" || true; done
  for lane in "${others[@]}"; do
    echo "=== lane $lane: $(cat "$logs/$lane.versions")"
    cat "$logs/$lane.log"
  done
  for lane in "${others[@]}"; do report "$lane"; done
fi

echo
echo "=== lanes"
printf '%s\n' "${rows[@]}"
echo "total time $(( $(date +%s) - started ))s"
echo "tests: $total passed, 0 failed"
