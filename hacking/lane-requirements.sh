# SPDX-License-Identifier: GPL-3.0-or-later
# shellcheck shell=bash
# What each ansible-core lane's virtualenv holds: lane_requirements LANE sets LANE_REQUIREMENTS (pip
# arguments), PY_VERSION and ANSIBLE_CORE from noxfile.py's LANES. hacking/lock.sh resolves them to hacking/locks/<lane>.txt; noxfile.py's
# sessions install the lane's part constrained by that file, hacking/bootstrap.sh .venv main's whole.
# Every lane: its ansible-core, the collection's requirements and what ansible-test units --local
# and the integration targets run with. main adds .venv's tools: those of every other suite, of
# make docs and of make bench.
lanes() { python3 hacking/nox_lanes.py; }  # one line per lane: name ansible-core Python

lane_requirements() {
  local row
  row=$(lanes | awk -v lane="$1" '$1 == lane {print $2, $3}')
  if [ -z "$row" ]; then
    echo "unknown lane '$1' (noxfile.py's LANES: $(lanes | awk '{print $1}' | paste -sd ' '))" >&2
    return 2
  fi
  LANE=$1
  # shellcheck disable=SC2034  # PY_VERSION: read by the scripts that source this file
  read -r ANSIBLE_CORE PY_VERSION <<< "$row"
  LANE_REQUIREMENTS=("ansible-core==$ANSIBLE_CORE.*" -r requirements.txt -r hacking/units-requirements.txt
                     -r tests/integration/requirements.txt)
  if [ "$LANE" = main ]; then
    LANE_REQUIREMENTS+=(-r hacking/requirements.txt -r hacking/docs-requirements.txt -r benchmarks/requirements.txt)
  fi
}

# What the lock of a lane was resolved from: the lock records it, and the bootstrap refuses a lock
# made from other requirements (a requirement added since would be installed unpinned). Comments do
# not count.
requirements_digest() {
  { echo "${LANE_REQUIREMENTS[*]}"
    for arg in "${LANE_REQUIREMENTS[@]}"; do [ ! -f "$arg" ] || cat "$arg"; done
    cat tests/unit/requirements.txt; } | sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' | sha256sum | cut -c1-16
}

# Its X.Y, if it runs, has venv's ensurepip (Debian splits that into pythonX.Y-venv) and runs $2 (a
# statement, if given).
version_of() { "$1" -c "import ensurepip, sys; ${2:-pass}; print('%d.%d' % sys.version_info[:2])" 2>/dev/null || true; }

# The Python of .venv must extract with tarfile's data filter, as antsibull-nox does (PEP 706: 3.11.4
# and later; Debian 12's 3.11.2 lacks it: "extractall() got an unexpected keyword argument 'filter'").
# shellcheck disable=SC2034  # read by bootstrap.sh
TOOLS_NEED='import tarfile; tarfile.data_filter'

# An interpreter of version $1 that can make a venv (and runs $2, if given): PYTHON_3_13 (say) if set,
# else a pythonX.Y on PATH that is not pyenv's (nor a virtualenv of it), else pyenv's build. The system's first: distributions
# build CPython with PGO and LTO, pyenv by default without, and the suites spend ~20% more CPU on
# pyenv's (pyenv's shims also fail for versions installed but not selected). noxfile.py looks the
# same way for the lanes' sessions.
find_python() {
  local override="PYTHON_${1//./_}" pyenv="${PYENV_ROOT:-$HOME/.pyenv}" candidate
  local -a candidates=("${!override:-}")
  while IFS= read -r candidate; do  # resolved: a virtualenv's python or a shim is its base's
    candidate=$(readlink -f "$candidate")
    case $candidate in "$pyenv"/*) ;; *) candidates+=("$candidate") ;; esac
  done < <(type -ap "python$1")
  candidates+=("$pyenv"/versions/"$1".*/bin/"python$1")
  for candidate in "${candidates[@]}"; do
    [ "$(version_of "$candidate" "${2:-}")" = "$1" ] && { echo "$candidate"; return; }
  done
  echo "no Python $1 found: install it, or name it with $override=/path/to/python$1" >&2
  return 1
}
