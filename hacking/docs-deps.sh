#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Install the documentation tools (hacking/docs-requirements.txt) into .venv. Only the docs suite
# and make docs need them, and both run this first; changing the requirements reinstalls.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
stamp="$VENV/.docs-requirements"  # inside the venv: a new venv installs them again
digest=$(sha256sum < hacking/docs-requirements.txt | cut -c1-16)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ]; then
  exit 0
fi

echo "== documentation tools: $(grep -Eo '^[a-z][a-z-]*==[0-9.]+' hacking/docs-requirements.txt | paste -sd ' ')"
# This machine's pip configuration names index folders that may not exist; keep their warnings out.
"$VENV/bin/python" -m pip install -q -r hacking/docs-requirements.txt \
  2> >(grep -v 'is ignored: it is neither a file nor a directory' >&2)
echo "$digest" > "$stamp"
