#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# `make lock`: resolve, for each lane of noxfile.py's LANES (or those named), everything its virtualenv
# gets (hacking/lane-requirements.sh says what) to exact versions, newest first, on the lane's
# Python, and write them to hacking/locks/<lane>.txt. The bootstrap installs from those files only,
# so a fresh machine gets what the last green run had; running this is the one way to upgrade.
# Resolution only (pip install --dry-run --report): nothing is installed but pip in a scratch venv.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${SKILLOPS_BUILD:?run this through make}"
# shellcheck source=hacking/lane-requirements.sh
. hacking/lane-requirements.sh
mapfile -t all_lanes < <(lanes | awk '{print $1}')
[ $# -gt 0 ] || set -- "${all_lanes[@]}"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p hacking/locks

for lane in "$@"; do
  (
    lane_requirements "$lane"
    python=$(find_python "$PY_VERSION")
    "$python" -m venv "$scratch/$lane"
    pip="$scratch/$lane/bin/python -m pip"
    $pip install -q --upgrade pip 2> >(grep -v 'is ignored: it is neither' >&2)
    # --ignore-installed: the scratch venv's own pip must not hide a package from the report.
    $pip install -q --dry-run --ignore-installed --report "$scratch/$lane.json" "${LANE_REQUIREMENTS[@]}" \
      2> >(grep -v 'is ignored: it is neither' >&2)
    {
      echo "# The exact versions lane $lane installs (Python $PY_VERSION, ansible-core $ANSIBLE_CORE.*): written by"
      echo "# make lock from hacking/lane-requirements.sh on $(date -u +%F). Do not edit; run make lock to upgrade."
      echo "# requirements: $(requirements_digest)"
      "$scratch/$lane/bin/python" - "$scratch/$lane.json" <<'PY'
import json
import sys

from pip import __version__ as pip_version

report = json.load(open(sys.argv[1]))
pins = {item['metadata']['name'].lower(): item['metadata']['version'] for item in report['install']}
pins['pip'] = pip_version
for name in sorted(pins):
    print('%s==%s' % (name, pins[name]))
PY
    } > "hacking/locks/$lane.txt"
    echo "== lane $lane: $(grep -vc '^#' "hacking/locks/$lane.txt") packages in hacking/locks/$lane.txt"
  )
done

# The npm packages of the test suites (hacking/npm-deps.sh installs them with npm ci).
if [ "$*" = "${all_lanes[*]}" ]; then
  (cd hacking/npm && rm -f package-lock.json && npm install --package-lock-only --silent --no-audit --no-fund)
  echo "== npm: $(grep -c '"node_modules/' hacking/npm/package-lock.json) packages in hacking/npm/package-lock.json"
fi
