#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Prepare everything one lane of hacking/lanes ($LANE, main by default) needs on a fresh machine,
# offline from Galaxy: a virtualenv with exactly the versions hacking/locks/$LANE.txt pins of what
# hacking/lane-requirements.sh names (latest: unpinned), amazon.aws and community.aws taken from the
# lane's `ansible` wheel on PyPI (with awx.awx, which only playbooks/awx_configure.yml uses: its
# lint and syntax check), and ansible-test's pip bootstrap. No npm: hacking/npm-deps.sh's.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=hacking/lane-env.sh
. hacking/lane-env.sh
# shellcheck source=hacking/lane-requirements.sh
. hacking/lane-requirements.sh

CACHE=.cache
stamp="$LANE_BUILD/.bootstrapped"
digest=$( { echo "$PY_VERSION $ANSIBLE_CORE $ANSIBLE_WHEEL_VERSION ${LOCK:-unpinned}"
            cat requirements.txt hacking/requirements.txt hacking/docs-requirements.txt hacking/units-requirements.txt \
              benchmarks/requirements.txt hacking/bootstrap.sh hacking/lane-env.sh hacking/lane-requirements.sh \
              hacking/get_pip_offline.py ${LOCK:+"$LOCK"}; } \
  | sha256sum | cut -c1-16)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ] && [ -x "$VENV/bin/python" ]; then
  exit 0
fi
if [ -n "$LOCK" ] && ! grep -qx "# requirements: $(requirements_digest)" "$LOCK" 2>/dev/null; then
  echo "$LOCK is missing or was made from other requirements than hacking/lane-requirements.sh names" \
    "now: run make lock LANES=$LANE (and commit it)" >&2
  exit 1
fi

# This machine's pip configuration names index folders that may not exist; keep their warnings out.
pip() { "$VENV/bin/python" -m pip "$@" 2> >(grep -v 'is ignored: it is neither a file nor a directory' >&2); }

echo "== lane $LANE: virtualenv (Python $PY_VERSION) with ansible-core $ANSIBLE_CORE, ${LOCK:-nothing pinned}"
if [ "$(version_of "$VENV/bin/python")" != "$PY_VERSION" ]; then
  python=$(find_python "$PY_VERSION")
  rm -rf "$VENV"
  "$python" -m venv "$VENV"
fi
if [ -n "$LOCK" ]; then
  pip install -q "$(grep '^pip==' "$LOCK")"
  # PIP_CONSTRAINT reaches the build environments of packages that come as sources too.
  PIP_CONSTRAINT=$PWD/$LOCK pip install -q "${LANE_REQUIREMENTS[@]}"
else
  pip install -q --upgrade pip
  pip install -q --upgrade --upgrade-strategy eager "${LANE_REQUIREMENTS[@]}"
fi

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
