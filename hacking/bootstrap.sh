#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Prepare everything the tests and the demo need on a fresh machine, offline from Galaxy:
# a virtualenv with the controller tools, amazon.aws and community.aws taken from the `ansible`
# wheel on PyPI (with awx.awx, which only playbooks/awx_configure.yml uses: its lint and syntax check),
# and ansible-test's pip bootstrap. No npm: the npm packages of the sandbox suite
# are hacking/npm-deps.sh's.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${SKILLOPS_BUILD:?run this through make}"
: "${PY_VERSION:?run this through make}"

PYTHON=${PYTHON:-python$PY_VERSION}  # an interpreter of that version (a command or a path)
VENV=.venv
CACHE=.cache
ANSIBLE_WHEEL_VERSION=12.3.0          # bundles amazon.aws 10.1.x, community.aws 10.0.x and awx.awx 24.6.x

stamp="$SKILLOPS_BUILD/.bootstrapped"
digest=$( { echo "$PY_VERSION"; cat hacking/requirements.txt hacking/bootstrap.sh hacking/get_pip_offline.py; } \
  | sha256sum | cut -c1-16)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ] && [ -x "$VENV/bin/python" ]; then
  exit 0
fi

# This machine's pip configuration names index folders that may not exist; keep their warnings out.
pip() { "$VENV/bin/python" -m pip "$@" 2> >(grep -v 'is ignored: it is neither a file nor a directory' >&2); }

version_of() { "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true; }

echo "== virtualenv (Python $PY_VERSION) and controller tools"
if [ "$(version_of "$VENV/bin/python")" != "$PY_VERSION" ]; then
  [ "$(version_of "$PYTHON")" = "$PY_VERSION" ] || {
    echo "$PYTHON: not found or not Python $PY_VERSION (PYTHON=... names another interpreter)" >&2; exit 1; }
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
fi
pip install -q --upgrade pip
pip install -q -r hacking/requirements.txt

echo "== amazon.aws, community.aws and awx.awx from the ansible $ANSIBLE_WHEEL_VERSION wheel"
collections="$SKILLOPS_BUILD/collections"
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

mkdir -p "$SKILLOPS_BUILD" && echo "$digest" > "$stamp"
