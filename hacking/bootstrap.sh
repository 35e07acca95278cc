#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Prepare .venv on a fresh machine, offline from Galaxy: the Python and ansible-core of noxfile.py's
# main lane, with exactly the versions hacking/locks/main.txt pins of what hacking/lane-requirements.sh
# names (with --latest: the same, unpinned, in $SKILLOPS_BUILD/latest/venv, for make test-latest);
# amazon.aws and community.aws from main's `ansible` wheel on PyPI (with awx.awx, which only
# playbooks/awx_configure.yml uses: its lint and syntax check), for the demo and the suites that run
# outside the ansible-core lanes' nox sessions. Every lock must still match the requirements it was
# made from. No npm: hacking/npm-deps.sh's.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${SKILLOPS_BUILD:?run this through make}"
# shellcheck source=hacking/lane-requirements.sh
. hacking/lane-requirements.sh

VENV=$PWD/.venv LOCK=hacking/locks/main.txt
if [ "${1:-}" = --latest ]; then
  VENV=$SKILLOPS_BUILD/latest/venv LOCK=
fi
stamp="$VENV/.bootstrapped"
digest=$( { echo "${LOCK:-unpinned}"
            cat noxfile.py antsibull-nox.toml requirements.txt hacking/requirements.txt hacking/docs-requirements.txt \
              hacking/units-requirements.txt tests/integration/requirements.txt benchmarks/requirements.txt \
              hacking/bootstrap.sh hacking/lane-requirements.sh hacking/locks/*.txt; } \
  | sha256sum | cut -c1-16)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ] && [ -x "$VENV/bin/python" ]; then
  exit 0
fi
for lock in hacking/locks/*.txt; do
  lane=$(basename "$lock" .txt)
  lane_requirements "$lane"
  if ! grep -qx "# requirements: $(requirements_digest)" "$lock"; then
    echo "$lock was made from other requirements than hacking/lane-requirements.sh names now:" \
      "run make lock LANES=$lane (and commit it)" >&2
    exit 1
  fi
done
lane_requirements main

# This machine's pip configuration names index folders that may not exist; keep their warnings out.
pip() { "$VENV/bin/python" -m pip "$@" 2> >(grep -v 'is ignored: it is neither a file nor a directory' >&2); }

echo "== $VENV (Python $PY_VERSION) with ansible-core $ANSIBLE_CORE, ${LOCK:-nothing pinned}"
if [ "$(version_of "$VENV/bin/python" "$TOOLS_NEED")" != "$PY_VERSION" ]; then
  python=$(find_python "$PY_VERSION" "$TOOLS_NEED")
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

if [ -z "$LOCK" ]; then  # --latest: the collections are main's, which make setup extracted already
  echo "$digest" > "$stamp"
  exit 0
fi
wheel_version=$(sed -n 's|.*"\./\.cache/ansible-\([0-9.]*\)/.*|\1|p' <(sed -n "/^\[collection_sources_per_ansible.'$ANSIBLE_CORE'\]/,/^\[/p" antsibull-nox.toml) | head -n 1)
[ -n "$wheel_version" ] || { echo "antsibull-nox.toml names no ansible wheel for ansible-core $ANSIBLE_CORE" >&2; exit 1; }
echo "== amazon.aws, community.aws and awx.awx from the ansible $wheel_version wheel"
collections="$SKILLOPS_BUILD/collections"
mkdir -p .cache/wheels "$collections/ansible_collections"
wheel=".cache/wheels/ansible-$wheel_version-py3-none-any.whl"
[ -f "$wheel" ] || pip download -q --no-deps "ansible==$wheel_version" -d .cache/wheels
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

echo "$digest" > "$stamp"
