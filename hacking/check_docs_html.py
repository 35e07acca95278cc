# SPDX-License-Identifier: GPL-3.0-or-later
"""Check the HTML docsite hacking/docs.sh built against what ansible-doc says of the collection.

Usage: python hacking/check_docs_html.py HTML_DIR

Every module, lookup and filter of skillops.alexa has a page with a table row for each of its options,
its examples as written, and a row for each of its return values; every role has a page with a row for
each option of each entry point; every EDA plugin has a page (hacking/eda_plugin_docs.py) linked from
the index, with a row for each option of its DOCUMENTATION and its EXAMPLES as written; the extra docs
of docs/docsite/ and the links of links.yml are there.
Prints one line per page and fails, listing what is missing, if anything is.
"""

import html
import json
import pathlib
import re
import subprocess
import sys

import yaml
from antsibull_docs.rst_labels import get_option_ref
from docutils.nodes import make_id

import eda_plugin_docs

COLLECTION = 'skillops.alexa'
DOCSITE = pathlib.Path(__file__).resolve().parent.parent / 'docs' / 'docsite'


def ansible_doc(*args):
    return json.loads(subprocess.run(['ansible-doc', '--json', *args], check=True, capture_output=True,
                                     text=True).stdout)


def text_of(fragment):
    """The text of an HTML fragment, whitespace collapsed."""
    return ' '.join(html.unescape(re.sub(r'<[^>]+>', '', fragment)).split())


def section(page, section_id):
    match = re.search(r'<section id="%s">(.*?)</section>' % re.escape(section_id), page, re.DOTALL)
    return match.group(1) if match else None


def check_plugin(html_dir, plugin_type, name, doc):
    short = name.split('.')[-1]
    path = html_dir / ('%s_%s.html' % (short, plugin_type))
    if not path.is_file():
        return ['%s: no page' % path.name], None
    page = path.read_text(encoding='utf-8')
    problems = []
    if 'ansible-option-table' not in page:
        problems.append('%s: no option table' % path.name)
    options = sorted((doc['doc'].get('options') or {}))
    problems += ['%s: no row for the option %s' % (path.name, option)
                 for option in options if 'id="parameter-%s"' % option not in page]
    examples = section(page, 'examples')
    if not (doc.get('examples') or '').strip():
        problems.append('%s: %s has no examples to show' % (path.name, name))
    elif examples is None:
        problems.append('%s: no examples section' % path.name)
    elif ' '.join(doc['examples'].split()) not in text_of(examples):
        problems.append('%s: the examples section does not show the examples as written' % path.name)
    returns = sorted((doc.get('return') or {}))
    if not returns:
        problems.append('%s: %s documents no return values' % (path.name, name))
    problems += ['%s: no row for the return value %s' % (path.name, key)
                 for key in returns if 'id="return-%s"' % key not in page]
    summary = '%s: %d options, examples, %d return values' % (path.name, len(options), len(returns))
    return problems, None if problems else summary


def check_role(html_dir, name, doc):
    short = name.split('.')[-1]
    path = html_dir / ('%s_role.html' % short)
    if not path.is_file():
        return ['%s: no page' % path.name], None
    page = path.read_text(encoding='utf-8')
    problems, count = [], 0
    for entry_point, spec in sorted(doc['entry_points'].items()):
        for option in sorted(spec.get('options') or {}):
            count += 1
            if 'id="parameter-%s--%s"' % (entry_point, option) not in page:
                problems.append('%s: no row for the option %s of the entry point %s' % (path.name, option, entry_point))
    summary = '%s: %d entry points, %d options' % (path.name, len(doc['entry_points']), count)
    return problems, None if problems else summary


def check_eda_plugin(html_dir, index, kind, name, doc, examples):
    fqcn = '%s.%s' % (COLLECTION, name)
    page_name = '%s_%s.html' % (name, kind)
    if not (html_dir / page_name).is_file():
        return ['%s: no page' % page_name], None
    page = (html_dir / page_name).read_text(encoding='utf-8')
    problems = [] if 'href="%s"' % page_name in index else ['index.html: no link to %s' % page_name]
    # A row's id is the one Sphinx gives the label of its option (the label O() refers to).
    problems += ['%s: no row for the option %s' % (page_name, option) for option in sorted(doc['options'])
                 if 'id="%s"' % make_id(get_option_ref(fqcn, kind, None, [option])) not in page]
    shown = section(page, 'examples')
    if shown is None or ' '.join(examples.split()) not in text_of(shown):
        problems.append('%s: no examples section showing the examples as written' % page_name)
    summary = '%s: %d options, examples, linked from index.html' % (page_name, len(doc['options']))
    return problems, None if problems else summary


def check_extra_docs(html_dir):
    problems, summaries = [], []
    index = (html_dir / 'index.html').read_text(encoding='utf-8')
    extra = yaml.safe_load((DOCSITE / 'extra-docs.yml').read_text(encoding='utf-8'))
    for sect in extra.get('sections') or []:
        for name in sect.get('toctree') or []:
            page = 'docsite/%s.html' % name
            if not (html_dir / page).is_file():
                problems.append('%s: no page for docs/docsite/rst/%s.rst' % (page, name))
            elif 'href="%s"' % page not in index:
                problems.append('index.html: no link to %s' % page)
            else:
                summaries.append('%s: linked from index.html' % page)
    links = yaml.safe_load((DOCSITE / 'links.yml').read_text(encoding='utf-8')) or {}
    for link in links.get('extra_links') or []:
        if 'href="%s"' % html.escape(link['url']) not in index:
            problems.append('index.html: no link to %s (links.yml)' % link['url'])
    summaries.append('index.html: %d links of links.yml' % len(links.get('extra_links') or []))
    return problems, summaries


def main(html_dir):
    html_dir = pathlib.Path(html_dir)
    problems, summaries = [], []
    for plugin_type in ('module', 'lookup', 'filter'):
        names = sorted(ansible_doc('-t', plugin_type, '-l', COLLECTION))
        docs = ansible_doc('-t', plugin_type, *names) if names else {}
        for name in names:
            found, summary = check_plugin(html_dir, plugin_type, name, docs[name])
            problems += found
            summaries += [summary] if summary else []
    roles = sorted(ansible_doc('-t', 'role', '-l', COLLECTION))
    docs = ansible_doc('-t', 'role', *roles) if roles else {}
    for name in roles:
        found, summary = check_role(html_dir, name, docs[name])
        problems += found
        summaries += [summary] if summary else []
    index = (html_dir / 'index.html').read_text(encoding='utf-8')
    for kind, name, doc, examples in eda_plugin_docs.plugins():
        found, summary = check_eda_plugin(html_dir, index, kind, name, doc, examples)
        problems += found
        summaries += [summary] if summary else []
    found, more = check_extra_docs(html_dir)
    problems += found
    summaries += more
    for summary in summaries:
        print('ok %s' % summary)
    for problem in problems:
        print('MISSING %s' % problem)
    print('docs pages: %d checked, %d problems' % (len(summaries), len(problems)))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(*sys.argv[1:]))
