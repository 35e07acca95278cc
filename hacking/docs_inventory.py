# SPDX-License-Identifier: GPL-3.0-or-later
"""Write the Sphinx inventory of the Ansible docsite labels that the generated pages refer to.

Usage: python hacking/docs_inventory.py RST_DIR INVENTORY

The pages antsibull-docs writes link into the Ansible docsite (docs.ansible.com) with Sphinx labels:
the common return values, the configuration settings, and the plugins of other collections, such as
community.aws.sns_topic, and their options and return values (O() and RV() become the roles :ansopt:
and :ansretval:, which antsibull's Sphinx extension turns into labels). Sphinx resolves them through
that docsite's inventory (objects.inv), which a build without access to it cannot fetch. This writes a small inventory for exactly the labels the pages
use and this collection does not define, so the build keeps failing on any other unresolved reference:
a label that is neither a plugin of another collection nor in PAGES below stops the build, named.
antsibull-docs lint-collection-docs (the docs suite) checks that such plugin references exist.
"""

import pathlib
import re
import sys
import zlib

from antsibull_docs.markup.semantic_helper import parse_option, parse_return_value
from antsibull_docs.rst_labels import get_option_ref, get_return_value_ref

# Labels of the Ansible docsite that are not plugin pages: label -> (page and anchor, title).
PAGES = {
    'common_return_values': ('reference_appendices/common_return_values.html#common-return-values',
                             'Return Values'),
    'ansible_configuration_settings': ('reference_appendices/config.html#ansible-configuration-settings',
                                       'Ansible Configuration Settings'),
}

OWN_PREFIX = 'ansible_collections.skillops.alexa.'
# ansible_collections.NAMESPACE.NAME.PLUGIN_TYPE, optionally followed by __parameter-... or __return-...
PLUGIN = re.compile(r'^ansible_collections\.(\w+)\.(\w+)\.(\w+)_(\w+?)(__.*)?$')
REF = re.compile(r':ref:`(?:[^`<]*<([^`>]+)>|([^`<]+))`')
# :ansopt:`fqcn#type:name` and :ansretval:`...`, RST-escaped; one without fqcn#type: is the page's own plugin's.
SEMANTIC = {'ansopt': (parse_option, get_option_ref), 'ansretval': (parse_return_value, get_return_value_ref)}
SEMANTIC_ROLE = re.compile(r':(%s):`((?:[^`\\]|\\.)+)`' % '|'.join(SEMANTIC))


def semantic_label(role, text):
    """The label antsibull's Sphinx extension gives an option or return value of another plugin."""
    parse, label = SEMANTIC[role]
    try:
        fqcn, plugin_type, entrypoint, link, _name, _value = parse(re.sub(r'\\(.)', r'\1', text), '', '', require_plugin=False)
    except ValueError:
        return None  # sphinx-build reports it
    return label(fqcn, plugin_type, entrypoint, link.split('.')) if fqcn and plugin_type else None


def anchor(label):
    """The HTML id Sphinx gives a label (docutils.nodes.make_id)."""
    return re.sub(r'[^a-z0-9]+', '-', label.lower()).strip('-')


def external_labels(rst_dir):
    defined, used = set(), set()
    for path in rst_dir.rglob('*.rst'):
        text = path.read_text(encoding='utf-8')
        defined.update(re.findall(r'^\.\. _([^:]+):\s*$', text, re.MULTILINE))
        for explicit, bare in REF.findall(text):
            used.add((explicit or bare).strip())
        used.update(label for label in (semantic_label(*role) for role in SEMANTIC_ROLE.findall(text)) if label)
    return sorted(label for label in used - defined if not label.startswith(OWN_PREFIX))


def entry(label):
    if label in PAGES:
        uri, title = PAGES[label]
        return '%s std:label -1 %s %s' % (label, uri, title)
    match = PLUGIN.match(label)
    if match:
        namespace, name, plugin, plugin_type = match.group(1, 2, 3, 4)
        page = 'collections/%s/%s/%s_%s.html' % (namespace, name, plugin, plugin_type)
        return '%s std:label -1 %s#%s -' % (label, page, anchor(label))
    return None


def main(rst_dir, inventory):
    lines = []
    for label in external_labels(pathlib.Path(rst_dir)):
        line = entry(label)
        if line is None:
            print('docs_inventory.py: no page known for the label %r; add it to PAGES' % label, file=sys.stderr)
        else:
            lines.append(line)
    header = ('# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n'
              '# The remainder of this file is compressed using zlib.\n')
    body = ''.join(line + '\n' for line in lines)
    pathlib.Path(inventory).write_bytes(header.encode() + zlib.compress(body.encode('utf-8')))
    print('inventory of the Ansible docsite: %d labels' % len(lines))


if __name__ == '__main__':
    main(*sys.argv[1:])
