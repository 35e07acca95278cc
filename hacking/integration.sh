#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Run ansible-test integration against the sandbox whose environment is exported (with-sandbox.sh),
# in the collection tree INTEGRATION_TREE (default: the lane's, $ANSIBLE_COLLECTIONS_PATH), every
# target to the end (--continue-on-error) so that the count says which failed. ansible-test passes
# no environment variables into target playbooks, so hand the sandbox's addresses over in
# integration_config.yml. Arguments: targets and ansible-test options (--exclude ...).
set -euo pipefail
# The official ASK CLI, which hacking/npm-deps.sh installs in the checkout, for the ask_cli_adoption target.
ask_cli="$(cd "$(dirname "$0")/.." && pwd)/.cache/npm/node_modules/.bin/ask"
cd "${INTEGRATION_TREE:-${ANSIBLE_COLLECTIONS_PATH:?run this through make}}/ansible_collections/skillops/alexa"
cat > tests/integration/integration_config.yml <<YAML
smapi_url: ${ASK_SMAPI_SERVER_BASE_URL}
lwa_url: ${ASK_LWA_TOKEN_HOST}
aws_url: ${AWS_URL}
aws_region: ${AWS_REGION}
ask_cli: ${ask_cli}
YAML
exec ansible-test integration --local --continue-on-error --color no "$@"
