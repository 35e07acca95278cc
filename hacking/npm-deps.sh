#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The npm packages of the test suites, installed into .cache/npm. Only the sandbox suite needs
# them (run-tests.sh runs this script right before it), so nothing else needs Node.js and npm.
# Every npm package the tests use belongs in PACKAGES below; changing this file reinstalls.
set -euo pipefail
cd "$(dirname "$0")/.."

PREFIX=.cache/npm
PACKAGES=(
  ask-smapi-model@1.24.0   # the official SMAPI Swagger document (spec.json) for the contract test
)

stamp="$PREFIX/.installed"
digest=$(sha256sum < hacking/npm-deps.sh | cut -c1-16)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ]; then
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "npm not found: the sandbox suite (make sandbox-tests, part of make test) needs Node.js" \
    "and npm for its SMAPI contract test; the other suites and make demo do not" >&2
  exit 1
fi

echo "== npm packages for the sandbox suite: ${PACKAGES[*]}"
mkdir -p "$PREFIX"
npm install --silent --no-audit --no-fund --prefix "$PREFIX" "${PACKAGES[@]}" >/dev/null
echo "$digest" > "$stamp"
