#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Prepare everything one lane of hacking/lanes ($LANE, main by default) needs on a fresh machine,
# offline from Galaxy: a virtualenv with that lane's ansible-core (main: with the controller tools
# of hacking/requirements.txt; the others: with the collection's own requirements.txt), amazon.aws
# and community.aws taken from the lane's `ansible` wheel on PyPI (with awx.awx, which only
# playbooks/awx_configure.yml uses: its lint and syntax check), and ansible-test's pip bootstrap.
# No npm: the npm packages of the sandbox suite are hacking/npm-deps.sh's.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=hacking/lane-env.sh
. hacking/lane-env.sh

CACHE=.cache
if [ "$LANE" = main ]; then requirements=hacking/requirements.txt; else requirements=requirements.txt; fi

stamp="$LANE_BUILD/.bootstrapped"
digest=$( { echo "$PY_VERSION $ANSIBLE_CORE $ANSIBLE_WHEEL_VERSION"
            cat "$requirements" hacking/bootstrap.sh hacking/lane-env.sh hacking/get_pip_offline.py; } \
  | sha256sum | cut -c1-16)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ] && [ -x "$VENV/bin/python" ]; then
  exit 0
fi

# This machine's pip configuration names index folders that may not exist; keep their warnings out.
pip() { "$VENV/bin/python" -m pip "$@" 2> >(grep -v 'is ignored: it is neither a file nor a directory' >&2); }

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

echo "== lane $LANE: virtualenv (Python $PY_VERSION) with ansible-core $ANSIBLE_CORE and $requirements"
if [ "$(version_of "$VENV/bin/python")" != "$PY_VERSION" ]; then
  python=$(find_python "$PY_VERSION")
  rm -rf "$VENV"
  "$python" -m venv "$VENV"
fi
pip install -q --upgrade pip
pip install -q "ansible-core==$ANSIBLE_CORE" -r "$requirements"

echo "== amazon.aws, community.aws and awx.awx from the ansible $ANSIBLE_WHEEL_VERSION wheel"
collections="$ANSIBLE_COLLECTIONS_PATH"
mkdir -p "$CACHE/wheels" "$collections/ansible_collections"
wheel="$CACHE/wheels/ansible-$ANSIBLE_WHEEL_VERSION-py3-none-any.whl"
[ -f "$wheel" ] || pip download -q --no-deps "ansible==$ANSIBLE_WHEEL_VERSION" -d "$CACHE/wheels"
rm -rf "$collections/ansible_collections/amazon" "$collections/ansible_collections/community" \
  "$collections/ansible_collections/awx"
"$VENV/bin/python" - "$wheel" "$collections" <<'PY'
import sys
import zipfile

wheel, target = sys.argv[1:]
with zipfile.ZipFile(wheel) as archive:
    wanted = [name for name in archive.namelist()
              if name.startswith(('ansible_collections/amazon/aws/', 'ansible_collections/community/aws/',
                                  'ansible_collections/awx/awx/'))]
    archive.extractall(target, wanted)
PY

echo "== ansible-test pip bootstrap (offline stand-in)"
pip_version=$(sed -n "s/.*pip='\([0-9.]*\)'.*/\1/p" \
  "$("$VENV/bin/python" -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))')/_internal/python_requirements.py" | head -n 1)
[ -n "$pip_version" ] || { echo "cannot tell which pip version ansible-test wants" >&2; exit 1; }
mkdir -p "$HOME/.ansible/test/cache"
cp hacking/get_pip_offline.py "$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"

mkdir -p "$LANE_BUILD" && echo "$digest" > "$stamp"
