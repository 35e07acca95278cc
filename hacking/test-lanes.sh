#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# `make test`: the suites of every lane of hacking/lanes, or of the lanes named (make test LANES=...).
# main runs every suite of hacking/run-tests.sh; any other lane runs sanity, the units and the
# integration targets whose aliases say `lanes` (those of the modules, the lookups and the
# independent-developer, endpoint and doctor roles), each in its own virtualenv and collection tree.
# Ends with one row per lane; stops at the first failing lane.
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

for lane in "$@"; do
  export LANE=$lane
  # Every suite the lane has (hacking/run-tests.sh); beside main, only the targets aliased lanes.
  if [ "$lane" = main ]; then targets=${INTEGRATION_TARGETS:-}; else targets=lanes/; fi
  start=$(date +%s)
  hacking/bootstrap.sh
  hacking/sync.sh
  # versions as installed, for the summary row
  versions=$(
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
  echo "=== lane $lane: $versions"
  INTEGRATION_TARGETS=$targets hacking/run-tests.sh 2>&1 | tee "$logs/$lane.log" || {
    echo "=== lane $lane FAILED ($versions)"; exit 1; }
  n=$(tail -n 1 "$logs/$lane.log" | grep -Eo '^tests: [0-9]+' | grep -Eo '[0-9]+')
  total=$((total + n))
  rows+=("$(printf '%-7s %-72s %4d passed %5ds' "$lane" "$versions" "$n" $(( $(date +%s) - start )))")
done

echo
echo "=== lanes"
printf '%s\n' "${rows[@]}"
echo "total time $(( $(date +%s) - started ))s"
echo "tests: $total passed, 0 failed"
