#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Build the collection's HTML docsite (make docs) into .cache/docs/build/html/ and check it.
# antsibull-docs writes a Sphinx site for skillops.alexa as ansible-doc sees it in the build tree
# (hacking/sync.sh): the modules, lookups, filters and roles with their argument specs, the extra
# docs of docs/docsite/ (extra-docs.yml, rst/) and the links of docs/docsite/links.yml.
# hacking/eda_plugin_docs.py adds the pages of the EDA plugins, which ansible-doc does not know, from
# their DOCUMENTATION and EXAMPLES. sphinx-build turns it into HTML, with warnings as errors;
# hacking/check_docs_html.py then checks the pages.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${ANSIBLE_COLLECTIONS_PATH:?run this through make}"

site=.cache/docs
rm -rf "$site"
mkdir -p "$(dirname "$site")"
mkdir -m 700 "$site"  # antsibull-docs writes only into directories no one else can write to

antsibull-docs sphinx-init --use-current --squash-hierarchy --fail-on-error --dest-dir "$site" \
  --project skillops.alexa --copyright 'contributors to the skillops.alexa collection' \
  --title 'skillops.alexa' skillops.alexa >/dev/null
cat >> "$site/conf.py" <<'PY'

# Added by hacking/docs.sh: the build needs no network. References into the Ansible docsite
# resolve through the inventory hacking/docs_inventory.py writes for the labels these pages use,
# and link to the real pages; the Python and Jinja inventories are not needed.
intersphinx_mapping = {
    'ansible_devel': ('https://docs.ansible.com/projects/ansible/devel/', '../ansible_devel.inv'),
}
PY

echo "== antsibull-docs collection skillops.alexa"
antsibull-docs --config-file "$site/antsibull-docs.cfg" collection --cleanup everything --fail-on-error \
  --use-current --squash-hierarchy --dest-dir "$site/rst" skillops.alexa
python hacking/eda_plugin_docs.py "$site/rst"
python hacking/docs_inventory.py "$site/rst" "$site/ansible_devel.inv"

echo "== sphinx-build"
sphinx-build -M html "$site/rst" "$site/build" -c "$site" -W --keep-going -q

python hacking/check_docs_html.py "$site/build/html"
echo "HTML docsite: $site/build/html/index.html"
