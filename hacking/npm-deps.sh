#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The npm packages of the test suites, installed into .cache/npm. Only the sandbox suite (the
# contract test, tests/cli) and the integration suite (the ask_cli_adoption target) need them, and
# run-tests.sh runs this script right before each, so nothing else needs Node.js and npm.
# Every npm package the tests use is in hacking/npm/package.json (which says why each), at the versions
# its package-lock.json pins; `npm ci` installs exactly those. Upgrade: npm install --package-lock-only
# there (make lock does). Changing either file reinstalls.
set -euo pipefail
cd "$(dirname "$0")/.."

PREFIX=.cache/npm

stamp="$PREFIX/.installed"
digest=$(cat hacking/npm-deps.sh hacking/npm/package.json hacking/npm/package-lock.json | sha256sum | cut -c1-16)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ]; then
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "npm not found: the sandbox suite (make sandbox-tests, part of make test) needs Node.js" \
    "and npm for its SMAPI contract test and its ASK CLI suite; the other suites and make demo" \
    "do not" >&2
  exit 1
fi

mkdir -p "$PREFIX"
cp hacking/npm/package.json hacking/npm/package-lock.json "$PREFIX/"
names=$(node -p "Object.entries(require('./$PREFIX/package.json').dependencies).map(p => p.join('@')).join(' ')")
echo "== npm packages for the sandbox and integration suites: $names"
npm ci --silent --no-audit --no-fund --prefix "$PREFIX" >/dev/null
echo "$digest" > "$stamp"
