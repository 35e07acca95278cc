#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# ansible-test only runs inside ansible_collections/<namespace>/<name>/, so mirror the working tree
# (tracked files and untracked ones git does not ignore) into that layout, outside the checkout:
# into lane $LANE's collection tree, or into the collections root given (an integration shard's),
# which then gets the lane's dependency collections as links.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=hacking/lane-env.sh
. hacking/lane-env.sh  # the collection tree of lane $LANE (main if unset)
root=${1:-$ANSIBLE_COLLECTIONS_PATH}
dest="$root/ansible_collections/skillops/alexa"
mkdir -p "$dest"
find "$dest" -mindepth 1 -maxdepth 1 ! -name tests -exec rm -rf {} +
[ -d "$dest/tests" ] && find "$dest/tests" -mindepth 1 -maxdepth 1 ! -name output -exec rm -rf {} +
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
  [ -e "$f" ] && printf '%s\0' "$f"
done | tar --null -T - -cf - | tar -xf - -C "$dest"
if [ "$root" != "$ANSIBLE_COLLECTIONS_PATH" ]; then
  for namespace in amazon community awx; do
    ln -sfn "$ANSIBLE_COLLECTIONS_PATH/ansible_collections/$namespace" "$root/ansible_collections/$namespace"
  done
fi
