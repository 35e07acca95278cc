# SPDX-License-Identifier: GPL-3.0-or-later
# shellcheck shell=bash
# Sourced by the test scripts, from the checkout's root: the settings of lane $LANE (main if unset)
# of hacking/lanes. main is the checkout's .venv and $SKILLOPS_BUILD/collections, which the demo,
# the sandbox and the benchmarks use too; any other lane lives in $SKILLOPS_BUILD/lanes/<lane>.
# Each lane installs exactly what hacking/locks/<lane>.txt pins (LOCK), but for latest: main's row
# with nothing pinned (make test-latest), to try upgrades on purpose.
: "${SKILLOPS_BUILD:?run this through make}"
LANE=${LANE:-main}
row=$LANE
[ "$LANE" != latest ] || row=main
read -r PY_VERSION ANSIBLE_CORE ANSIBLE_WHEEL_VERSION < <(awk -v lane="$row" '$1 == lane {print $2, $3, $4}' hacking/lanes) || true
if [ -z "${ANSIBLE_WHEEL_VERSION:-}" ]; then
  echo "unknown lane '$LANE' (lanes: $(awk '/^[a-z]/ {print $1}' hacking/lanes | paste -sd ' '), latest)" >&2
  exit 2
fi
LOCK=hacking/locks/$LANE.txt
[ "$LANE" != latest ] || LOCK=
if [ "$LANE" = main ]; then
  LANE_BUILD=$SKILLOPS_BUILD
  VENV=$PWD/.venv
else
  LANE_BUILD=$SKILLOPS_BUILD/lanes/$LANE
  VENV=$LANE_BUILD/venv
fi
export LANE PY_VERSION ANSIBLE_CORE ANSIBLE_WHEEL_VERSION LOCK LANE_BUILD VENV
export ANSIBLE_COLLECTIONS_PATH=$LANE_BUILD/collections
export ANSIBLE_PYTHON_INTERPRETER=$VENV/bin/python
export PATH=$VENV/bin:$PATH
