#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The npm packages of the test suites, installed into .cache/npm. Only the sandbox suite (the
# contract test, tests/cli) and the integration suite (the ask_cli_adoption target) need them, and
# run-tests.sh runs this script right before each, so nothing else needs Node.js and npm.
# Every npm package the tests use belongs in the package.json below; changing this file reinstalls.
set -euo pipefail
cd "$(dirname "$0")/.."

PREFIX=.cache/npm

stamp="$PREFIX/.installed"
digest=$(sha256sum < hacking/npm-deps.sh | cut -c1-16)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ]; then
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "npm not found: the sandbox suite (make sandbox-tests, part of make test) needs Node.js" \
    "and npm for its SMAPI contract test and its ASK CLI suite; the other suites and make demo" \
    "do not" >&2
  exit 1
fi

# ask-smapi-model: the official SMAPI Swagger document (spec.json) for the contract test.
# ask-cli: the official ASK CLI (bin/ask), which tests/cli drives against the sandbox.
# The override: ask-cli's @alexa/acdl asks for antlr4ts ^0.5.0-alpha.4, which npm resolves to
# 0.5.0-dev (the registry's latest), a broken publish: `ask` then dies on start with "Class
# extends value undefined". 0.5.0-alpha.4 is the release that range names.
mkdir -p "$PREFIX"
cat > "$PREFIX/package.json" <<'JSON'
{
  "private": true,
  "dependencies": {
    "ask-smapi-model": "1.24.0",
    "ask-cli": "2.30.7"
  },
  "overrides": {
    "antlr4ts": "0.5.0-alpha.4"
  }
}
JSON
names=$(node -p "Object.entries(require('./$PREFIX/package.json').dependencies).map(p => p.join('@')).join(' ')")
echo "== npm packages for the sandbox and integration suites: $names"
npm install --silent --no-audit --no-fund --prefix "$PREFIX" >/dev/null
echo "$digest" > "$stamp"
