#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Secrets never show. Everything runs at -vvvv with --diff on credentials of sentinel values (the test
# seed's sentinel security profile):
# 1. AWX jobs without an AWX (awx_jobs.py, on ../setup_awx/files/awx_job.py): the workflow playbooks
#    launched as the job templates of extensions/awx/job_templates.yml, with ansible-runner (the engine
#    of AWX), the credentials injected as environment variables (env/envvars) by the credential types of
#    extensions/awx/credential_types/. Every role works there: each set-up converges, runs again without
#    a change, and is torn down, and nothing is left.
# 2. Every module and the token lookup (playbook.yml) with ansible-playbook, the credential in the ASK
#    CLI's environment variables (stdout and stderr apart), then with ansible-runner, the credential as
#    extra vars (env/extravars).
# 3. Each role's failure path (roles.yml) with ansible-runner, the credential as environment variables;
#    the roles take credentials only through the modules' defaults, so extra vars are the modules' path.
# 2 and 3 start from the seed and make LWA fail: they run beside the AWX jobs, on a sandbox of their own.
# Then one search of everything the runs printed, registered or wrote, for the sentinels and for the
# secrets made during the runs (every token the sandbox minted, the AWS secret key); the count must be 0.
# (No `set -x`: it would print the secrets itself.)
set -eu
cd "$(dirname "$0")"
here=$(pwd)
config=$(cd ../.. && pwd)/integration_config.yml
out=$(mktemp -d)
sandbox='' plays=''
stop() {  # the sandbox of 2 and 3 stops; if 1 failed, 2 and 3 fail on it and end
  local status=$?
  if [ -n "$sandbox" ]; then kill "$sandbox" 2>/dev/null || true; wait "$sandbox" 2>/dev/null || true; fi
  if [ -n "$plays" ]; then wait "$plays" 2>/dev/null || true; fi
  rm -rf "$out"
  exit "$status"
}
trap stop EXIT
mkdir "$out/jobs" "$out/made"

sentinels=(SENTINEL-CLIENT-SECRET-3e8a91 SENTINEL-REFRESH-7c41d2 SENTINEL-ACCESS-5b90fe)
client_id=amzn1.application-oa2-client.sentinel
client_secret=${sentinels[0]}
refresh_token="Atzr|${sentinels[1]}"
access_token="Atza|${sentinels[2]}"

# The sandbox of 2 and 3: the collection's, on free loopback ports, with the test seed, on the Python
# that has its packages (moto): integration_config.yml's sandbox_python.
root=${ANSIBLE_COLLECTIONS_PATH%%:*}/ansible_collections/skillops/alexa
sandbox_python=$(python -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["sandbox_python"])' "$config")
"$sandbox_python" "$root/tests/sandbox/sandbox.py" --seed "$root/tests/sandbox/seeds/test.yml" --smapi-port 0 --lwa-port 0 \
  --moto-port 0 --env-file "$out/sandbox.env" >"$out/sandbox.log" 2>&1 &
sandbox=$!

# The run must have done real work with the sentinel credential, or finding nothing proves nothing.
# (The plays themselves assert that each step did what it should.)
check_run() {  # NAME EXIT_STATUS OUTPUT RESULTS_DIR PLAYBOOK
  local recap ok results minimum=25 parts="modules lookup"
  if [ "$2" -ne 0 ]; then
    tail -n 60 "$3" || true
    echo "$1: the run failed (exit $2)"
    exit 1
  fi
  recap=$(grep -A1 '^PLAY RECAP' "$3" | tail -n 1 | tr -s ' ')
  echo "$1 ($((SECONDS - started)) s): $recap"
  started=$SECONDS
  if [ "$5" = roles.yml ]; then minimum=30 parts=roles; fi
  ok=${recap#* ok=}
  [ "${ok%% *}" -ge "$minimum" ] || { echo "$1: only ${ok%% *} tasks ran"; exit 1; }
  for results in $parts; do
    [ -s "$4/$results.json" ] || { echo "$1: no registered results of the $results"; exit 1; }
  done
  [ -s "$out/made/$1" ] || { echo "$1: the sandbox minted no tokens"; exit 1; }
}

# 2 and 3 with ansible-runner: a private data directory laid out as AWX lays it out. Extra vars go in
# env/extravars, never on the command line, which ansible-playbook -vvvv prints.
runner_job() {  # NAME PLAYBOOK: the caller wrote env/envvars or the credential's part of env/extravars
  local job=$out/$1 status=0
  mkdir -p "$job/inventory"
  ln -s "$here" "$job/project"
  echo 'localhost ansible_connection=local' >"$job/inventory/hosts"
  { cat "$plays_config"; echo "results_dir: $job/results"; echo "minted_secrets_file: $out/made/$1"; } >>"$job/env/extravars"
  mkdir "$job/results"
  ansible-runner run "$job" -p "$2" --ident job -vvvv --cmdline=--diff >"$job/console" 2>&1 || status=$?
  if [ "$status" -eq 0 ] && [ "$(cat "$job/artifacts/job/status")" != successful ]; then status=1; fi
  [ "$status" -eq 0 ] || tail -n 20 "$job/console"
  check_run "$1" "$status" "$job/artifacts/job/stdout" "$job/results" "$2"
}

plays() {
  for _ in $(seq 1 300); do
    grep -q AWS_REGION "$out/sandbox.env" 2>/dev/null && break
    kill -0 "$sandbox" 2>/dev/null || break
    sleep 0.1
  done
  grep -q AWS_REGION "$out/sandbox.env" 2>/dev/null || { cat "$out/sandbox.log"; echo "the sandbox did not start"; exit 1; }
  set -a
  # shellcheck disable=SC1091
  . "$out/sandbox.env"
  set +a
  plays_config=$out/sandbox.yml
  printf 'smapi_url: %s\nlwa_url: %s\naws_url: %s\naws_region: %s\n' "$ASK_SMAPI_SERVER_BASE_URL" \
    "$ASK_LWA_TOKEN_HOST" "$AWS_URL" "$AWS_REGION" >"$plays_config"
  export ANSIBLE_NOCOLOR=1 ANSIBLE_ROLES_PATH="$here/.."
  started=$SECONDS

  # 2. ansible-playbook on the modules, the credential in the ASK CLI's environment variables.
  mkdir "$out/playbook"
  status=0
  ASK_LWA_CLIENT_ID=$client_id ASK_LWA_CLIENT_CONFIRMATION=$client_secret ASK_REFRESH_TOKEN=$refresh_token \
    SENTINEL_ACCESS_TOKEN=$access_token \
    ansible-playbook -vvvv --diff -i localhost, -e "@$plays_config" -e "results_dir=$out/playbook" \
    -e "minted_secrets_file=$out/made/playbook" playbook.yml >"$out/playbook/stdout" 2>"$out/playbook/stderr" || status=$?
  check_run playbook "$status" "$out/playbook/stdout" "$out/playbook" playbook.yml

  # 2. ansible-runner on the modules, the credential as extra vars.
  mkdir -p "$out/runner-extravars/env"
  cat >"$out/runner-extravars/env/extravars" <<YAML
ask_lwa_client_id: '$client_id'
ask_lwa_client_secret: '$client_secret'
ask_refresh_token: '$refresh_token'
ask_access_token: '$access_token'
YAML
  runner_job runner-extravars playbook.yml

  # 3. ansible-runner on each role's failure path, the credential as environment variables.
  mkdir -p "$out/runner-envvars/env"
  cat >"$out/runner-envvars/env/envvars" <<YAML
ASK_LWA_CLIENT_ID: '$client_id'
ASK_LWA_CLIENT_CONFIRMATION: '$client_secret'
ASK_REFRESH_TOKEN: '$refresh_token'
SENTINEL_ACCESS_TOKEN: '$access_token'
YAML
  runner_job runner-envvars roles.yml
}

# 2 and 3 beside 1; their figures come after the jobs'.
( plays ) >"$out/plays.log" 2>&1 &
plays=$!

# 1. The AWX jobs (they check themselves and print their figures).
started=$SECONDS
python awx_jobs.py "$config" "$out/jobs" "$out/made"
sources=()
for job in "$out"/jobs/*; do
  sources+=("$(basename "$job")=$job")
done
echo "${#sources[@]} jobs in $((SECONDS - started)) s"
status=0
wait "$plays" || status=$?
cat "$out/plays.log"
[ "$status" -eq 0 ] || exit "$status"
echo "all runs in $((SECONDS - started)) s"

# The files the test wrote for ansible-runner to read are its input, not its output: the credentials
# are in env/envvars (the AWX jobs', runner-envvars') and in runner-extravars' env/extravars by design,
# as AWX writes them; so is ansible-runner's copy of the job environment in artifacts/*/command (the
# search leaves out that member only). Everything else is searched: the jobs' env/extravars (no secret
# may pass through extra vars or surveys) and job_env.json (the environment AWX shows, secrets masked),
# stdout and stderr, the registered results, ansible-runner's console output and artifacts (stdout,
# job_events/*.json, command, status, rc, fact_cache, ...).
python ../setup_awx/files/search_sentinels.py "${sentinels[@]/#/--sentinel=}" --made "$out/made" \
  --input env/envvars --input runner-extravars:env/extravars "${sources[@]}" \
  playbook="$out/playbook" runner-extravars="$out/runner-extravars" runner-envvars="$out/runner-envvars"
