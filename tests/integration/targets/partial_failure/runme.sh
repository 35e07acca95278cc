#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Partial failure: a workflow interrupted after any one of its steps completes on the next run and
# tears down cleanly afterwards.
#
# A step is a change a workflow role makes setting up (a loop's items one by one);
# callback_plugins/interrupt_after.py counts the steps of the last stage of a run and kills
# ansible-playbook with SIGKILL right after the N-th, as when a job is cancelled or its host dies.
# For each workflow role a run sets up from nothing and is killed after step 1. Then, for N = 2, 3, ...
# each run must complete the interrupted set-up (stages/check_present.yml), tear down and leave nothing
# behind (stages/check_absent.yml), and set up from nothing again, killed after step N. When that last
# set-up is no longer killed it was complete, and a last run must change nothing setting up again
# (stages/again.yml), and tear down. The three workflows use different names and vendors, and run
# side by side.
set -eu
cd "$(dirname "$0")"
config=$(cd ../.. && pwd)/integration_config.yml
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

export ANSIBLE_NOCOLOR=1 ANSIBLE_ROLES_PATH=.. ANSIBLE_CALLBACK_PLUGINS=$PWD/callback_plugins
export ANSIBLE_CALLBACKS_ENABLED=interrupt_after

# PARTIAL_FAILURE_WORKFLOWS may name fewer, e.g. to look into one.
read -r -a workflows <<<"${PARTIAL_FAILURE_WORKFLOWS:-independent_developer organization developer}"
# The fewest steps each workflow takes: topic, role, policy, subscriber, and the subscriptions (one
# per vendor, or for the organization one sdns_subscriptions task for them all).
declare -A least_steps=([independent_developer]=5 [organization]=5 [developer]=1)

# play WORKFLOW AFTER STAGES: run the stages (a JSON list) of the workflow, killed after step AFTER of
# the last stage unless AFTER is 0.
play() {
  INTERRUPT_AFTER=$2 INTERRUPT_STATE_FILE=$out/$1.json ansible-playbook -i localhost, -e "@$config" \
    -e "{\"workflow\": \"$1\", \"stages\": $3}" workflow.yml >"$out/$1.log" 2>&1
}

# field WORKFLOW NAME: what the callback wrote about the workflow's last run: changed, killed, or
# last (the last step).
field() {
  python -c 'import json, sys
state = json.load(open(sys.argv[1]))
print((state["steps"] or ["none"])[-1] if sys.argv[2] == "last" else state[sys.argv[2]])' "$out/$1.json" "$2"
}

fail() {  # WORKFLOW MESSAGE
  tail -n 40 "$out/$1.log"
  echo "FAILED: $1: $2"
  exit 1
}

# attempt WORKFLOW AFTER STAGES WHAT: play, and set killed to true if the run was killed after step
# AFTER, or to false if it succeeded with fewer steps; anything else fails.
attempt() {
  local status=0
  # (Braces keep the shell's "Killed" notice out of the output.)
  { play "$1" "$2" "$3"; } 2>/dev/null || status=$?
  if [ "$(field "$1" killed)" = True ] && [ "$status" -ne 0 ] && [ "$(field "$1" changed)" -eq "$2" ]; then
    killed=true
  elif [ "$(field "$1" killed)" = False ] && [ "$status" -eq 0 ] && [ "$(field "$1" changed)" -lt "$2" ]; then
    killed=false
  else
    fail "$1" "$4 (stages $3; exit $status after $(field "$1" changed) steps)"
  fi
}

# interrupt_everywhere WORKFLOW: its last line of output is the figures: steps, set-ups completed by
# the next run, teardowns that left nothing.
interrupt_everywhere() {
  local workflow=$1 n=1 recovered=0 torn_down=0 stages
  attempt "$workflow" 1 '["present"]' "the set-up from nothing"
  while $killed; do
    echo "  killed after step $n: $(field "$workflow" last)"
    n=$((n + 1))
    [ "$n" -le 30 ] || fail "$workflow" "still killed after 30 steps"
    attempt "$workflow" "$n" '["present", "check_present", "absent", "check_absent", "present"]' \
      "the run after the set-up killed after step $((n - 1))"
    recovered=$((recovered + 1)) torn_down=$((torn_down + 1))
  done
  # So the last set-up was complete, and made every step.
  [ "$((n - 1))" -ge "${least_steps[$workflow]}" ] || fail "$workflow" "a full set-up made only $((n - 1)) steps"
  stages="[\"again\", \"check_present\", \"absent\", \"check_absent\"$([ "$workflow" != developer ] || echo ', "cleanup"')]"
  play "$workflow" 0 "$stages" || fail "$workflow" "the run after the full set-up (stages $stages; exit $?)"
  echo "$((n - 1)) $recovered $torn_down"
}

# Start from the seed, and from an empty AWS.
python -c 'import sys, urllib.request, yaml
config = yaml.safe_load(open(sys.argv[1]))
for url in (config["smapi_url"] + "/_sandbox/reset", config["aws_url"] + "/moto-api/reset"):
    urllib.request.urlopen(urllib.request.Request(url, method="POST"))' "$config"

declare -A pids
for workflow in "${workflows[@]}"; do
  interrupt_everywhere "$workflow" >"$out/$workflow.txt" 2>&1 &
  pids[$workflow]=$!
done
failed=0 points=0 recovered=0 torn_down=0
for workflow in "${workflows[@]}"; do
  if wait "${pids[$workflow]}"; then
    read -r steps completed cleaned < <(tail -n 1 "$out/$workflow.txt")
    echo "$workflow: $steps steps"
    sed '$d' "$out/$workflow.txt"
    points=$((points + steps)) recovered=$((recovered + completed)) torn_down=$((torn_down + cleaned))
  else
    cat "$out/$workflow.txt"
    failed=1
  fi
done
[ "$failed" -eq 0 ] || exit 1
echo "${#workflows[@]} workflows, $points interruption points: $recovered completed by the next run," \
  "$torn_down then torn down with nothing left"
[ "$recovered" -eq "$points" ] && [ "$torn_down" -eq "$points" ]
