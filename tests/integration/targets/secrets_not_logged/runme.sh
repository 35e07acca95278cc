#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Secrets never show: every module runs at -vvvv with --diff on credentials that hold sentinel
# values, passed as options and, as AWX injects them, as environment variables. Then stdout,
# stderr and every registered result are searched for the sentinels; the count must be 0.
# (No `set -x`: it would print the secrets itself.)
set -eu
cd "$(dirname "$0")"
config=$(cd ../.. && pwd)/integration_config.yml
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
sentinels=(SENTINEL-CLIENT-SECRET-3e8a91 SENTINEL-REFRESH-7c41d2 SENTINEL-ACCESS-5b90fe)

eval "$(python -c 'import sys, yaml; c = yaml.safe_load(open(sys.argv[1]))
print("export ASK_SMAPI_SERVER_BASE_URL=%s ASK_LWA_TOKEN_HOST=%s AWS_URL=%s AWS_REGION=%s" % (
    c["smapi_url"], c["lwa_url"], c["aws_url"], c["aws_region"]))' "$config")"
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
export ASK_LWA_CLIENT_ID=amzn1.application-oa2-client.sentinel
export ASK_LWA_CLIENT_CONFIRMATION=${sentinels[0]}
export ASK_REFRESH_TOKEN="Atzr|${sentinels[1]}"
# Not on the command line: ansible-playbook -vvvv echoes its extra vars.
export SENTINEL_ACCESS_TOKEN="Atza|${sentinels[2]}"
export ANSIBLE_NOCOLOR=1 ANSIBLE_ROLES_PATH=..

status=0
ansible-playbook -vvvv --diff -i localhost, -e "@$config" -e "results_file=$out/results.json" \
  playbook.yml >"$out/stdout" 2>"$out/stderr" || status=$?
if [ "$status" -ne 0 ]; then
  tail -n 60 "$out/stdout" "$out/stderr"
  echo "the playbook failed (exit $status)"
  exit 1
fi

# The run must have done real work with the sentinel credentials, or finding nothing proves nothing.
tasks=$(grep -cE '^(ok|changed): \[localhost\]' "$out/stdout")
[ "$tasks" -ge 15 ] || { echo "only $tasks tasks ran"; exit 1; }
[ -s "$out/results.json" ] || { echo "no registered results were written"; exit 1; }

total=0
for sentinel in "${sentinels[@]}"; do
  n=$(cat "$out/stdout" "$out/stderr" "$out/results.json" | grep -o -- "$sentinel" | wc -l)
  echo "$sentinel: $n occurrence(s) in $(wc -c < "$out/stdout") bytes of -vvvv output, results and errors"
  total=$((total + n))
done
echo "$tasks tasks ran; sentinel occurrences: $total"
[ "$total" -eq 0 ] || { grep -n -o -- ".\{0,300\}SENTINEL-[A-Z]*-[0-9a-f]*.\{0,100\}" "$out"/* | head -n 5; exit 1; }
