#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Partial failure: a workflow interrupted after any one of its steps completes on the next run and
# tears down cleanly afterwards.
#
# A step is a change a workflow role makes setting up (a loop's items one by one);
# callback_plugins/interrupt_after.py records the steps of a run in order and kills ansible-playbook
# with SIGKILL right after the N-th, as when a job is cancelled or its host dies. workflows.yml lists
# the steps of a full set-up of each workflow, in order (steps). Every run plays the same stages: set
# up (stages/present.yml), check the set-up (check_present), tear down (absent) and check that nothing
# is left (check_absent); a killed run never gets past the set-up. Each workflow has its interruption
# points (interruptions below), and its runs go side by side with the other workflows':
# 1. A run sets up from nothing and is killed after the first point, step P. It must have made the
#    first P steps of a full set-up.
# 2. Each next run starts where the last one was killed, with no teardown in between, and is killed
#    after the next point, having made the steps of a full set-up after the last point up to it. With
#    the points here one step apart, the run after an interruption after step k goes on with step
#    k + 1, doing nothing over and nothing else, the run after that one with step k + 2, and so on:
#    the interrupted set-up is completed step by step, without a full teardown and set-up between.
# 3. The last point is the last step. The run after it must change nothing, as any run after a
#    complete set-up; then the set-up must check complete, and the teardown leave nothing behind.
# independent_developer is interrupted after every step; the organization after its steps 4 and 5
# only, since its steps 1-3 are the same skillops.alexa.sdns_endpoint tasks as independent_developer's,
# interrupted there; the developer after its one step. The end checks that every step of every
# workflow run here was interrupted after, in its workflow or another (steps compared by role and task
# name): a step added to a role fails the test until workflows.yml lists it and an interruption covers
# it. That makes 11 runs (6 of independent_developer, 3 of the organization, 2 of the developer) and
# about a third of the work of completing, tearing down and setting up again after each interruption,
# in 17 runs. The steps of a full set-up are written down rather than recorded by a reference run,
# which would add a set-up and a teardown to each workflow.
set -eu
cd "$(dirname "$0")"
config=$(cd ../.. && pwd)/integration_config.yml
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

export ANSIBLE_NOCOLOR=1 ANSIBLE_ROLES_PATH=.. ANSIBLE_CALLBACK_PLUGINS=$PWD/callback_plugins
export ANSIBLE_CALLBACKS_ENABLED=interrupt_after

# PARTIAL_FAILURE_WORKFLOWS may name fewer, e.g. to look into one.
read -r -a workflows <<<"${PARTIAL_FAILURE_WORKFLOWS:-independent_developer organization developer}"
# The steps after which each workflow is interrupted (see above), in order, the last one last. Without
# independent_developer, the organization's endpoint steps are interrupted in the organization.
declare -A interruptions=([independent_developer]="1 2 3 4 5" [organization]="4 5" [developer]=1)
[[ " ${workflows[*]} " == *" independent_developer "* ]] || interruptions[organization]="1 2 3 4 5"

# play WORKFLOW AFTER: run the stages of the workflow, killed after step AFTER. The callback writes the
# run's steps to $out/WORKFLOW.json.
play() {
  rm -f "$out/$1.json"
  INTERRUPT_AFTER=$2 INTERRUPT_STATE_FILE=$out/$1.json ansible-playbook -i localhost, -e "@$config" \
    -e "{\"workflow\": \"$1\", \"stages\": [\"present\", \"check_present\", \"absent\", \"check_absent\"]}" \
    workflow.yml >"$out/$1.log" 2>&1
}

fail() {  # WORKFLOW MESSAGE
  [ ! -f "$out/$1.log" ] || tail -n 40 "$out/$1.log"
  echo "FAILED: $1: $2"
  exit 1
}

# run WORKFLOW AFTER DONE: play, starting from a set-up killed after step DONE. Unless that was the
# last step, the run must be killed after its step AFTER, having made the next AFTER steps of a full
# set-up; after the last step it must change nothing, check the set-up and the teardown, and end well.
# Sets made to the last step the run made.
run() {
  local status=0 verdict
  # (Braces keep the shell's "Killed" notice out of the output.)
  { play "$1" "$2"; } 2>/dev/null || status=$?
  verdict=$(python - "$out/$1" "$1" "$2" "$3" "$status" <<'PYTHON'
import json, sys, yaml
out, workflow, after, done, status = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
state = json.load(open(out + ".json"))
expected = yaml.safe_load(open("workflows.yml"))["workflows"][workflow]["steps"][done:done + after]
log = open(out + ".log").read()
checks = ["TASK [Each change was delivered to the topic, once]", "TASK [SMAPI and AWS hold nothing of the workflow]"]
if state["steps"] != expected:
    print("made the steps %s where a full set-up goes on with %s" % (state["steps"], expected))
elif expected and not (state["killed"] and status != 0):
    print("not killed after step %d (exit %d)" % (done + after, status))
elif not expected and (state["killed"] or status != 0 or not all(check in log for check in checks)):
    print("failed (exit %d)" % status)
else:
    print("ok %s" % (state["steps"] or ["nothing"])[-1])
PYTHON
)
  [ "${verdict%% *}" = ok ] || fail "$1" "$verdict"
  made=${verdict#ok }
}

# chain WORKFLOW: the runs above; prints each interruption point, and last the figures: steps,
# interruption points, those after which the next run went on as a full set-up does, set-ups completed
# and checked, teardowns that left nothing.
chain() {
  local workflow=$1 steps point done=0 points=0 went_on=0
  steps=$(python -c 'import sys, yaml; print(len(yaml.safe_load(open("workflows.yml"))["workflows"][sys.argv[1]]["steps"]))' "$workflow")
  for point in ${interruptions[$workflow]}; do
    if [ "$point" -le "$done" ] || [ "$point" -gt "$steps" ]; then
      fail "$workflow" "no step $point to interrupt after"
    fi
    run "$workflow" $((point - done)) "$done"
    if [ "$done" -eq 0 ]; then
      echo "  killed after step $point, setting up from nothing: $made"
    else
      echo "  killed after step $point, going on after step $done: $made"
      went_on=$((went_on + 1))
    fi
    echo "$made" >>"$out/$workflow.points"
    points=$((points + 1)) done=$point
  done
  [ "$done" -eq "$steps" ] || fail "$workflow" "not interrupted after its last step, $steps"
  run "$workflow" 1 "$steps"
  went_on=$((went_on + 1))
  echo "  nothing to do after step $steps; set-up checked, torn down, nothing left"
  echo "$steps $points $went_on 1 1"
}

# reset: back to the seed, and to an empty AWS.
reset() {
  python -c 'import sys, urllib.request, yaml
config = yaml.safe_load(open(sys.argv[1]))
for url in (config["smapi_url"] + "/_sandbox/reset", config["aws_url"] + "/moto-api/reset"):
    urllib.request.urlopen(urllib.request.Request(url, method="POST"))' "$config"
}

reset

declare -A pids
for workflow in "${workflows[@]}"; do
  chain "$workflow" >"$out/$workflow.txt" 2>&1 &
  pids[$workflow]=$!
done
failed=0 points=0 went_on=0 completed=0 torn_down=0
for workflow in "${workflows[@]}"; do
  if wait "${pids[$workflow]}"; then
    read -r steps interrupted next complete cleaned < <(tail -n 1 "$out/$workflow.txt")
    echo "$workflow: $steps steps, interrupted after $interrupted"
    sed '$d' "$out/$workflow.txt"
    points=$((points + interrupted)) went_on=$((went_on + next)) completed=$((completed + complete))
    torn_down=$((torn_down + cleaned))
  else
    cat "$out/$workflow.txt"
    failed=1
  fi
done
[ "$failed" -eq 0 ] || exit 1
# Each workflow left nothing (check_absent), so this removes only the organization's subscriber and
# endpoint the developer workflow subscribed to (organization_fixture.yml).
reset

# Every step of the workflows was interrupted after, in its workflow or another.
python - "$out" "${workflows[@]}" <<'PYTHON'
import os, sys, yaml
out, workflows = sys.argv[1], sys.argv[2:]
steps = {step for workflow in workflows for step in yaml.safe_load(open("workflows.yml"))["workflows"][workflow]["steps"]}
interrupted = []
for workflow in workflows:
    with open(os.path.join(out, workflow + ".points")) as points:
        interrupted += [line.rstrip("\n") for line in points]
if steps - set(interrupted):
    sys.exit("FAILED: never interrupted after: %s" % "; ".join(sorted(steps - set(interrupted))))
print("%d different steps, interrupted after %d times" % (len(steps), len(interrupted)))
PYTHON
echo "${#workflows[@]} workflows, $points interruption points: after $went_on the next run went on as a full" \
  "set-up does; $completed set-ups completed and checked, $torn_down torn down with nothing left"
[ "$went_on" -eq "$points" ] && [ "$completed" -eq "${#workflows[@]}" ] && [ "$torn_down" -eq "${#workflows[@]}" ]
