#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Secrets never show. Every module, every role and the token lookup run at -vvvv with --diff on a credential of
# sentinel values with ansible-runner (the engine of AWX), the credential injected as environment
# variables (env/envvars) as an AWX credential type does it. The modules run twice more: with
# ansible-playbook (stdout and stderr apart) and with ansible-runner taking the credential as extra
# vars (env/extravars); the roles take credentials only through the modules' defaults, so that path
# is the same for them. Everything the runs printed, registered or wrote is then searched for the
# sentinels; the count must be 0.
# (No `set -x`: it would print the secrets itself.)
set -eu
cd "$(dirname "$0")"
here=$(pwd)
config=$(cd ../.. && pwd)/integration_config.yml
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

sentinels=(SENTINEL-CLIENT-SECRET-3e8a91 SENTINEL-REFRESH-7c41d2 SENTINEL-ACCESS-5b90fe)
client_id=amzn1.application-oa2-client.sentinel
client_secret=${sentinels[0]}
refresh_token="Atzr|${sentinels[1]}"
access_token="Atza|${sentinels[2]}"

eval "$(python -c 'import sys, yaml; c = yaml.safe_load(open(sys.argv[1]))
print("export ASK_SMAPI_SERVER_BASE_URL=%s ASK_LWA_TOKEN_HOST=%s AWS_URL=%s AWS_REGION=%s" % (
    c["smapi_url"], c["lwa_url"], c["aws_url"], c["aws_region"]))' "$config")"
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
export ANSIBLE_NOCOLOR=1 ANSIBLE_ROLES_PATH="$here/.."
mkdir "$out/made"
started=$SECONDS

# The run must have done real work with the sentinel credential, or finding nothing proves nothing.
# (The plays themselves assert that the sandbox saw the sentinel security profile at work.)
check_run() {  # NAME EXIT_STATUS OUTPUT RESULTS_DIR PLAYBOOK
  local recap ok results minimum=150 parts="modules roles"
  if [ "$2" -ne 0 ]; then
    tail -n 60 "$3" || true
    echo "$1: the run failed (exit $2)"
    exit 1
  fi
  recap=$(grep -A1 '^PLAY RECAP' "$3" | tail -n 1 | tr -s ' ')
  echo "$1 ($((SECONDS - started)) s): $recap"
  started=$SECONDS
  if [ "$5" = playbook.yml ]; then minimum=20 parts=modules; fi
  ok=${recap#* ok=}
  [ "${ok%% *}" -ge "$minimum" ] || { echo "$1: only ${ok%% *} tasks ran"; exit 1; }
  for results in $parts; do
    [ -s "$4/$results.json" ] || { echo "$1: no registered results of the $results"; exit 1; }
  done
  [ "$5" = playbook.yml ] || [ -s "$out/made/$1" ] || { echo "$1: the code exchange made no tokens"; exit 1; }
}

# 1. ansible-playbook on the modules, the credential in the ASK CLI's environment variables.
mkdir "$out/playbook"
status=0
ASK_LWA_CLIENT_ID=$client_id ASK_LWA_CLIENT_CONFIRMATION=$client_secret ASK_REFRESH_TOKEN=$refresh_token \
  SENTINEL_ACCESS_TOKEN=$access_token \
  ansible-playbook -vvvv --diff -i localhost, -e "@$config" -e "results_dir=$out/playbook" \
  playbook.yml >"$out/playbook/stdout" 2>"$out/playbook/stderr" || status=$?
check_run playbook "$status" "$out/playbook/stdout" "$out/playbook" playbook.yml

# 2 and 3. ansible-runner on a private data directory laid out as AWX lays it out. Extra vars go in
# env/extravars, never on the command line, which ansible-playbook -vvvv prints.
runner_job() {  # NAME PLAYBOOK: the caller wrote env/envvars and/or the credential's part of env/extravars
  local job=$out/$1 status=0
  mkdir -p "$job/inventory"
  ln -s "$here" "$job/project"
  echo 'localhost ansible_connection=local' >"$job/inventory/hosts"
  { cat "$config"; echo "results_dir: $job/results"; echo "minted_secrets_file: $out/made/$1"; } >>"$job/env/extravars"
  mkdir "$job/results"
  ansible-runner run "$job" -p "$2" --ident job -vvvv --cmdline=--diff >"$job/console" 2>&1 || status=$?
  if [ "$status" -eq 0 ] && [ "$(cat "$job/artifacts/job/status")" != successful ]; then status=1; fi
  [ "$status" -eq 0 ] || tail -n 20 "$job/console"
  check_run "$1" "$status" "$job/artifacts/job/stdout" "$job/results" "$2"
}

mkdir -p "$out/runner-envvars/env" "$out/runner-extravars/env"
cat >"$out/runner-envvars/env/envvars" <<YAML
ASK_LWA_CLIENT_ID: '$client_id'
ASK_LWA_CLIENT_CONFIRMATION: '$client_secret'
ASK_REFRESH_TOKEN: '$refresh_token'
SENTINEL_ACCESS_TOKEN: '$access_token'
YAML
runner_job runner-envvars site.yml

cat >"$out/runner-extravars/env/extravars" <<YAML
ask_lwa_client_id: '$client_id'
ask_lwa_client_secret: '$client_secret'
ask_refresh_token: '$refresh_token'
ask_access_token: '$access_token'
YAML
runner_job runner-extravars playbook.yml

# The files the test wrote for ansible-runner to read are its input, not its output: the credential
# is in env/envvars or env/extravars by design, as AWX writes them; so is ansible-runner's copy of the
# job environment in artifacts/job/command (the helper leaves out that member only). Everything else
# in the three folders is searched: stdout and stderr, the registered results, ansible-runner's
# console output and artifacts (stdout, job_events/*.json, command, status, rc, fact_cache, ...).
python ../setup_awx/files/search_sentinels.py "${sentinels[@]/#/--sentinel=}" --made "$out/made" \
  --input env/envvars --input env/extravars --input inventory/hosts \
  playbook="$out/playbook" runner-envvars="$out/runner-envvars" runner-extravars="$out/runner-extravars"
