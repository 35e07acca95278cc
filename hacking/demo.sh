#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# make demo: the independent-developer workflow on the sandbox (run inside with-sandbox.sh), told
# as a short story. Full Ansible output goes to a log that is shown only if a step fails; with
# DEMO_LOGS set to a directory, each step's log is kept there too.
# The collection's playbooks run by name (skillops.alexa.independent_developer, ...), so the
# workflow is whichever skillops.alexa the collections path holds: the build tree synced from this
# checkout for make demo, the copy installed from the tarball for the package suite. The demo's own
# sandbox-only playbook (playbooks/demo.yml) and its variables are not part of the collection's
# tarball and run from this checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export ANSIBLE_NOCOLOR=1

seconds_since() { local ms=$(( ($(date +%s%N) - $1) / 1000000 )); printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100)); }

# The SMAPI and LWA requests the sandbox received so far, by kind: "TOKEN READ WRITE".
requests_so_far() {
  python -c 'import json, sys, urllib.request
kinds = json.load(urllib.request.urlopen(sys.argv[1] + "/_sandbox/counters"))["by_kind"]
print(kinds["token"], kinds["read"], kinds["write"])' "$ASK_SMAPI_SERVER_BASE_URL"
}

steps=0
step() {  # step TITLE -- ansible-playbook ARGS...
  local title=$1 start before after
  shift 2
  steps=$((steps + 1))
  start=$(date +%s%N)
  read -ra before <<< "$(requests_so_far)"
  if ! ansible-playbook -i localhost, "$@" >"$work/log" 2>&1; then
    [ -z "${DEMO_LOGS:-}" ] || cp "$work/log" "$DEMO_LOGS/step$steps.log"
    cat "$work/log"
    echo "!! $title failed"
    exit 1
  fi
  [ -z "${DEMO_LOGS:-}" ] || cp "$work/log" "$DEMO_LOGS/step$steps.log"
  read -ra after <<< "$(requests_so_far)"
  recap=$(grep -E '^localhost +:' "$work/log" | sed -E 's/ +(unreachable|rescued|ignored|skipped|failed)=[0-9]+//g; s/^localhost +: +//')
  printf '%-52s %5ss  %s  SMAPI: token=%d read=%d write=%d\n' "$title" "$(seconds_since "$start")" "$recap" \
    $((after[0] - before[0])) $((after[1] - before[1])) $((after[2] - before[2]))
}

# Where the collection comes from: the first skillops.alexa on the collections path.
origin=$(ANSIBLE_VERBOSITY=0 ansible-galaxy collection list skillops.alexa --format json 2>/dev/null | python -c 'import json, sys
found = [(path, info["skillops.alexa"]["version"]) for path, info in json.load(sys.stdin).items() if "skillops.alexa" in info]
print("skillops.alexa %s from %s/skillops/alexa" % (found[0][1], found[0][0]) if found else "")')
[ -n "$origin" ] || { echo "!! skillops.alexa is not on the collections path"; exit 1; }

started=$(date +%s%N)
echo "Skill Development Notifications on the local sandbox (SMAPI + LWA at $ASK_SMAPI_SERVER_BASE_URL, AWS in moto)"
echo "$origin"
echo
step "1. Set up: queue, topic, role, subscriber, subscription" -- \
  playbooks/demo.yml -e "demo_story_file=$work/story"
sed 's/^/     /' "$work/story"
step "2. The same workflow again (must change nothing)" -- \
  skillops.alexa.independent_developer -e @playbooks/vars/demo.yml
grep -Eq '^localhost +:.* changed=0 ' "$work/log" || { cat "$work/log"; echo "!! the second run changed something"; exit 1; }
step "3. Tear down" -- skillops.alexa.teardown -e @playbooks/vars/demo.yml
step "4. Remove the queue" -- playbooks/demo.yml -e demo_step=cleanup
left=$(python -c 'import json, sys, urllib.request
state = json.load(urllib.request.urlopen(sys.argv[1] + "/_sandbox/state"))
print(len(state["subscribers"]) + len(state["subscriptions"]))' "$ASK_SMAPI_SERVER_BASE_URL")
[ "$left" = 0 ] || { echo "!! $left SDNS objects left on the sandbox"; exit 1; }
echo
echo "Done in $(seconds_since "$started")s; nothing left on the sandbox. The sandbox stops now."
