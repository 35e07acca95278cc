#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Four ansible-playbook runs of the same subscriber and subscription, started at once, end with
# exactly one of each, all four succeed and agree on the survivor. Round "barrier" makes the
# sandbox hold the creates until all four have arrived, so every run creates its own and the
# tie-break must remove three of each; round "free" lets the runs race as they come.
set -eu
cd "$(dirname "$0")"
config=$(cd ../.. && pwd)/integration_config.yml
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export ANSIBLE_NOCOLOR=1 ANSIBLE_ROLES_PATH=..
runs=4

for round in barrier free; do
  ansible-playbook -i inventory -e "@$config" -e "round=$round runs=$runs" prepare.yml >"$out/prepare.log" \
    || { tail -n 40 "$out/prepare.log"; exit 1; }
  pids=()
  for run in $(seq "$runs"); do
    ansible-playbook -i inventory -e "@$config" -e "result_file=$out/$round-$run.json" race.yml \
      >"$out/$round-$run.log" 2>&1 &
    pids+=("$!")
  done
  failed=0
  for run in $(seq "$runs"); do
    if ! wait "${pids[$((run - 1))]}"; then
      echo "round $round: run $run failed"
      tail -n 30 "$out/$round-$run.log"
      failed=1
    fi
  done
  [ "$failed" -eq 0 ] || exit 1
  ansible-playbook -i inventory -e "@$config" -e "round=$round runs=$runs results_dir=$out" verify.yml \
    >"$out/verify.log" 2>&1 || { tail -n 60 "$out/verify.log"; exit 1; }
  grep -h "^ *\"msg\": \"round" "$out/verify.log" | sed 's/^ *"msg": "\(.*\)"$/\1/'
done
