# SPDX-License-Identifier: GPL-3.0-or-later
# shellcheck shell=bash
# Sourced after hacking/lane-env.sh: what lane $LANE's virtualenv holds, as pip arguments
# (LANE_REQUIREMENTS), and find_python to find the lane's interpreter. hacking/lock.sh resolves
# these to hacking/locks/$LANE.txt; hacking/bootstrap.sh installs them constrained by that file.
# Every lane: its ansible-core, the collection's requirements and what `ansible-test units --local`
# runs with. main (and latest, main unpinned) adds the tools of every other suite, make docs and
# make bench.
LANE_REQUIREMENTS=("ansible-core==$ANSIBLE_CORE" -r requirements.txt -r hacking/units-requirements.txt)
if [ "$LANE" = main ] || [ "$LANE" = latest ]; then
  LANE_REQUIREMENTS+=(-r hacking/requirements.txt -r hacking/docs-requirements.txt -r benchmarks/requirements.txt)
fi

# What the lock of the lane was resolved from: the lock records it, and the bootstrap refuses a
# lock made from other requirements (a requirement added since would be installed unpinned).
# Comments do not count.
requirements_digest() {
  { echo "${LANE_REQUIREMENTS[*]}"
    for arg in "${LANE_REQUIREMENTS[@]}"; do [ ! -f "$arg" ] || cat "$arg"; done
    cat tests/unit/requirements.txt; } | sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' | sha256sum | cut -c1-16
}

version_of() { "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true; }

# An interpreter of version $1: PYTHON_3_13 (say) if set, pythonX.Y on PATH, else pyenv's build
# (pyenv's shims fail for versions that are installed but not selected).
find_python() {
  local override="PYTHON_${1//./_}" candidate
  for candidate in "${!override:-}" "python$1" "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$1".*/bin/"python$1"; do
    [ "$(version_of "$candidate")" = "$1" ] && { echo "$candidate"; return; }
  done
  echo "no Python $1 found for lane $LANE: install it, or name it with $override=/path/to/python$1" >&2
  return 1
}
