#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Run a command with the SDNS sandbox (SMAPI + LWA + moto) up on free loopback ports and its
# environment exported; the sandbox stops when the command ends, whatever its outcome.
# Usage: hacking/with-sandbox.sh SEED_FILE COMMAND [ARG...]
set -euo pipefail
cd "$(dirname "$0")/.."
seed=$1; shift
envfile=$(mktemp)
log=$(mktemp)
.venv/bin/python tests/sandbox/sandbox.py --seed "$seed" --smapi-port 0 --lwa-port 0 --moto-port 0 \
  --env-file "$envfile" >"$log" 2>&1 &
pid=$!
stop_sandbox() {
  local rc=$?
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$envfile" "$log"
  exit "$rc"   # the command's status, not the sandbox's
}
trap stop_sandbox EXIT
for _ in $(seq 1 150); do
  grep -q ASK_SMAPI_SERVER_BASE_URL "$envfile" 2>/dev/null && break
  kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; echo "sandbox failed to start" >&2; exit 1; }
  sleep 0.1
done
grep -q ASK_SMAPI_SERVER_BASE_URL "$envfile" || { cat "$log" >&2; echo "sandbox did not start in 15 s" >&2; exit 1; }
set -a
# shellcheck disable=SC1090
. "$envfile"
set +a
"$@"
