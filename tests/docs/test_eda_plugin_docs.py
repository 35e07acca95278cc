# SPDX-License-Identifier: GPL-3.0-or-later
"""The docsite pages of the EDA plugins (hacking/eda_plugin_docs.py), made from the real plugin files:
a page for every plugin, with a row for every option its DOCUMENTATION gives (its doc fragments' too),
its description and examples, its markup rendered, each page listed in the index.

Run by hacking/run-tests.sh docs, with the documentation tools (antsibull-docs) installed.
make docs builds the pages with Sphinx (warnings are errors) and checks the HTML.
"""

import ast
import glob
import os
import re
import runpy
import sys

import pytest
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, 'hacking'))

import eda_plugin_docs  # noqa: E402 pylint: disable=wrong-import-position

PLUGIN_FILES = sorted(path for path in glob.glob(os.path.join(REPO, 'extensions', 'eda', 'plugins', '*', '*.py'))
                      if os.path.basename(path) != '__init__.py')
# Ansible markup left as written: a letter and a parenthesis where the page should have a role.
RAW_MARKUP = re.compile(r'(?<![\w\\])[BCEIMOPV]\(')


def documentation(path):
    """The plugin's DOCUMENTATION and EXAMPLES, read here on their own, and every option it takes:
    its own and those of its doc fragments (as ansible-doc merges them: its own win)."""
    with open(path) as source:
        strings = {node.targets[0].id: node.value.value for node in ast.parse(source.read()).body
                   if isinstance(node, ast.Assign) and getattr(node.targets[0], 'id', '') in ('DOCUMENTATION', 'EXAMPLES')}
    doc = yaml.safe_load(strings['DOCUMENTATION'])
    options = {}
    for fragment in doc.get('extends_documentation_fragment') or []:
        _namespace, _name, file = fragment.split('.')
        fragments = runpy.run_path(os.path.join(REPO, 'plugins', 'doc_fragments', file + '.py'))['ModuleDocFragment']
        options.update(yaml.safe_load(fragments.DOCUMENTATION)['options'])
    options.update(doc.get('options') or {})
    return doc, strings['EXAMPLES'], options


@pytest.fixture(scope='module')
def site(tmp_path_factory):
    """The generator run on an index.rst as antsibull-docs writes it (its plugin index, then its role index)."""
    rst = tmp_path_factory.mktemp('rst')
    (rst / 'index.rst').write_text('Plugin Index\n------------\n\n%s\n\nRole Index\n----------\n' % eda_plugin_docs.INDEX_END)
    eda_plugin_docs.main(str(rst))
    return rst


def kind_and_name(path):
    """extensions/eda/plugins/event_source/sdns_sqs.py: event_source, sdns_sqs (its page: sdns_sqs_event_source)."""
    return os.path.basename(os.path.dirname(path)), os.path.splitext(os.path.basename(path))[0]


def test_every_plugin_has_a_page(site):
    assert PLUGIN_FILES
    pages = sorted(path.name for path in site.iterdir() if path.name != 'index.rst')
    assert pages == sorted('%s_%s.rst' % kind_and_name(path)[::-1] for path in PLUGIN_FILES)


@pytest.mark.parametrize('path', PLUGIN_FILES, ids=os.path.basename)
def test_the_page_renders_every_option_and_the_examples(site, path):
    kind, name = kind_and_name(path)
    page = (site / ('%s_%s.rst' % (name, kind))).read_text()
    doc, examples, options = documentation(path)
    fqcn = 'skillops.alexa.' + name
    assert page.startswith('.. _ansible_collections.%s_%s:\n' % (fqcn, kind))
    assert eda_plugin_docs.rst_escape(doc['short_description']) in page.splitlines()[2]
    rows = re.findall(r'^  \* - \.\. _ansible_collections\.%s_%s__parameter-(\w+):$' % (re.escape(fqcn), kind), page, re.MULTILINE)
    assert rows == sorted(options), 'options without a row, or rows of no option'
    for option, spec in options.items():
        row = page.split('__parameter-%s:' % option, 1)[1].split('\n  * - ', 1)[0]
        assert '\n    - %s' % spec['type'] in row, option
        if 'default' in spec:
            default = str(spec['default']).lower() if isinstance(spec['default'], bool) else str(spec['default'])
            assert ':ansval:`%s`' % eda_plugin_docs.rst_escape(default) in row, option
    # Every paragraph of the description: its words up to the first markup, as written.
    for paragraph in doc['description']:
        words = RAW_MARKUP.split(paragraph)[0].split()[:6]
        assert eda_plugin_docs.rst_escape(' '.join(words)) in ' '.join(page.split()), paragraph
    shown = '\n'.join('  ' + line if line else '' for line in examples.strip('\n').splitlines())
    assert 'Examples\n--------\n\n.. code-block:: yaml+jinja\n\n' + shown in page
    assert not RAW_MARKUP.search(page), RAW_MARKUP.search(page)


def test_markup_becomes_the_roles_and_links_of_antsibulls_pages():
    plugin = eda_plugin_docs.dom.PluginIdentifier(fqcn='skillops.alexa.sdns_sqs', type='event_source')
    rendered = eda_plugin_docs.markup('Give O(name) or V(false), C(x), E(AWS_REGION), I(one), B(two), '
                                      'O(skillops.alexa.lwa_token#module:client_id), '
                                      'M(skillops.alexa.lwa_token), P(skillops.alexa.sdns_unwrap#event_filter).', plugin)
    for role in (r':ref:`name <ansible_collections.skillops.alexa.sdns_sqs_event_source__parameter-name>`',
                 r':ansopt:`skillops.alexa.lwa\_token#module:client\_id`', ':ansval:`false`', ':literal:`x`',
                 r':ansenvvar:`AWS\_REGION`', ':emphasis:`one`', ':strong:`two`',
                 r':ref:`skillops.alexa.lwa\_token <ansible_collections.skillops.alexa.lwa_token_module>`',
                 r':ref:`skillops.alexa.sdns\_unwrap <ansible_collections.skillops.alexa.sdns_unwrap_event_filter>`'):
        assert role in rendered, rendered
    with pytest.raises(ValueError):
        eda_plugin_docs.markup('C(unclosed', plugin)


def test_the_index_lists_every_page(site):
    index = (site / 'index.rst').read_text()
    assert index.index('Event Source Plugins') < index.index('Event Filter Plugins') < index.index(eda_plugin_docs.INDEX_END)
    for path in PLUGIN_FILES:
        kind, name = kind_and_name(path)
        assert '<ansible_collections.skillops.alexa.%s_%s>`' % (name, kind) in index
        assert '\n    %s_%s\n' % (name, kind) in index
