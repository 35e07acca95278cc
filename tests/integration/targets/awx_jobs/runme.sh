#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# AWX jobs without an AWX: the workflow playbooks launched as the job templates of
# extensions/awx/job_templates.yml, with the credential types of extensions/awx/credential_types/
# (awx_jobs.py, on ../setup_awx/files/awx_job.py). Each set-up converges, runs again without a change,
# and is torn down. Then everything the jobs left in their private data directories (ansible-runner's
# stdout, job events and other artifacts, the extra vars, the environment AWX would show) is searched
# for the credentials' secrets; the count must be 0.
# (No `set -x`: it would print the secrets itself.)
set -eu
cd "$(dirname "$0")"
config=$(cd ../.. && pwd)/integration_config.yml
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
mkdir "$out/jobs" "$out/made"
started=$SECONDS

python awx_jobs.py "$config" "$out/jobs" "$out/made"

# env/envvars holds the credentials by design: it is the job's environment, which AWX hands to
# ansible-runner; so does the `env` member of ansible-runner's artifact `command`, which the search
# leaves out. env/extravars is searched: no secret may pass through extra vars or surveys.
sources=()
for job in "$out"/jobs/*; do
  sources+=("$(basename "$job")=$job")
done
echo "${#sources[@]} jobs in $((SECONDS - started)) s"
python ../setup_awx/files/search_sentinels.py --sentinel=SENTINEL-CLIENT-SECRET-3e8a91 \
  --sentinel=SENTINEL-REFRESH-7c41d2 --sentinel=SENTINEL-ACCESS-5b90fe --made "$out/made" \
  --input env/envvars "${sources[@]}"
