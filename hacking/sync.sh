#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The demo, the sandbox, the benchmarks and the suites that run outside the ansible-core lanes' nox
# sessions use the collection installed: mirror the working tree (tracked files and untracked ones
# git does not ignore) into $ANSIBLE_COLLECTIONS_PATH/ansible_collections/skillops/alexa, beside the
# amazon.aws and community.aws of hacking/bootstrap.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
dest="${ANSIBLE_COLLECTIONS_PATH:?run this through make}/ansible_collections/skillops/alexa"
rm -rf "$dest"
mkdir -p "$dest"
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
  [ -e "$f" ] && printf '%s\0' "$f"
done | tar --null -T - -cf - | tar -xf - -C "$dest"
