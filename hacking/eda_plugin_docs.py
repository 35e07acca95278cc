# SPDX-License-Identifier: GPL-3.0-or-later
"""Write the docsite pages of the Event-Driven Ansible plugins (extensions/eda/plugins/).

Usage: python hacking/eda_plugin_docs.py RST_DIR

antsibull-docs documents what ansible-doc knows, and ansible-doc knows no event source or event filter.
hacking/docs.sh runs this after antsibull-docs: one page per plugin in RST_DIR, made from its DOCUMENTATION
and EXAMPLES as they are at build time, and a section for each plugin type in the Plugin Index of
RST_DIR/index.rst. The files are read with ast, not imported: importing a plugin needs boto3 and the
collection on the path. Markup (C(), O(), P(), E() ...) becomes the roles of antsibull's own pages, and each
page defines the labels antsibull gives a plugin and its options, which P() and O() link to, so that
sphinx-build -W fails on a reference to an option or plugin that is not documented.
"""

import ast
import json
import pathlib
import sys

import yaml
from antsibull_docs.rst_labels import get_option_ref, get_plugin_ref
from antsibull_docs_parser import dom
from antsibull_docs_parser.parser import Context, parse
from antsibull_docs_parser.rst import AntsibullRSTFormatter, rst_escape, to_rst

COLLECTION = 'skillops.alexa'
ROOT = pathlib.Path(__file__).resolve().parent.parent
PLUGINS = ROOT / 'extensions' / 'eda' / 'plugins'
FRAGMENTS = ROOT / 'plugins' / 'doc_fragments'
# The plugin types (folders of extensions/eda/plugins/), in the order of the index.
KINDS = {'event_source': 'event source', 'event_filter': 'event filter'}
# The Plugin Index of antsibull-docs' index.rst ends where its Role Index begins.
INDEX_END = '.. _role_plugins_in_%s:' % COLLECTION


def assigned_strings(path, names, in_class=None):
    """The strings assigned to NAMES at the top of a Python file, or in its class IN_CLASS."""
    body = ast.parse(path.read_text(encoding='utf-8')).body
    if in_class:
        body = next(node.body for node in body if isinstance(node, ast.ClassDef) and node.name == in_class)
    return {node.targets[0].id: node.value.value for node in body
            if isinstance(node, ast.Assign) and getattr(node.targets[0], 'id', None) in names}


def fragment_options(fragment):
    """The options of a doc fragment of this collection: skillops.alexa.NAME or skillops.alexa.NAME.VARIABLE."""
    namespace, name, file, variable = (fragment.split('.') + ['documentation'])[:4]
    if '%s.%s' % (namespace, name) != COLLECTION:
        raise ValueError('doc fragment %s: only the fragments of %s can be read here' % (fragment, COLLECTION))
    text = assigned_strings(FRAGMENTS / (file + '.py'), {variable.upper()}, in_class='ModuleDocFragment')
    return yaml.safe_load(text[variable.upper()]).get('options') or {}


def plugins():
    """Every EDA plugin, sorted by type and name: (type, name, its documentation, its examples)."""
    found = []
    for kind in KINDS:
        for path in sorted((PLUGINS / kind).glob('*.py')):
            if path.name == '__init__.py':
                continue
            strings = assigned_strings(path, {'DOCUMENTATION', 'EXAMPLES'})
            doc = yaml.safe_load(strings['DOCUMENTATION'])
            fragments = doc.pop('extends_documentation_fragment', None) or []
            # Only the options, which ansible-doc would merge too; a fragment's notes speak of module tasks.
            options = {}
            for fragment in [fragments] if isinstance(fragments, str) else fragments:
                options.update(fragment_options(fragment))
            # As ansible-doc merges them, an option the plugin documents itself replaces the fragment's.
            doc['options'] = dict(options, **(doc.get('options') or {}))
            found.append((kind, path.stem, doc, strings.get('EXAMPLES') or ''))
    return found


class Formatter(AntsibullRSTFormatter):
    def format_option_name(self, part, url):
        # antsibull's :ansopt: role reads no plugin type with an underscore (event_source): link the label
        # of the option's row instead.
        if part.plugin and '_' in part.plugin.type:
            text = part.name if part.value is None else '%s=%s' % (part.name, part.value)
            label = get_option_ref(part.plugin.fqcn, part.plugin.type, part.entrypoint, part.link)
            return '\\ :ref:`%s <%s>`\\ ' % (rst_escape(text, escape_ending_whitespace=True), label)
        return super().format_option_name(part, url)

    def format_env_variable(self, part):
        # As antsibull's pages show a variable the collection's environment variable index does not
        # hold: these plugins declare none there, so there is nothing to link to.
        return '\\ :ansenvvar:`%s`\\ ' % rst_escape(part.name, escape_ending_whitespace=True, must_not_be_empty=True)


def markup(text, plugin):
    """RST of Ansible markup (a string or a list of paragraphs) in a plugin's documentation. Bad markup
    fails the build."""
    paragraphs = parse(text, Context(current_plugin=plugin), errors='exception')
    return to_rst(paragraphs, formatter=Formatter(), current_plugin=plugin)


def indent(text, prefix):
    return '\n'.join(prefix + line if line.strip() else '' for line in text.splitlines())


def value(item):
    """An option value as the documentation writes it (true, not True)."""
    text = item if isinstance(item, str) else json.dumps(item)
    return ':ansval:`%s`' % rst_escape(text, escape_ending_whitespace=True, must_not_be_empty=True)


def table_row(cells):
    """The lines of one row of a list-table, each cell RST text (or empty)."""
    lines = []
    for number, cell in enumerate(cells):
        first, *rest = cell.splitlines() or ['']
        lines.append(('  * - ' if number == 0 else '    - ') + first)
        lines += [indent(line, ' ' * 6) for line in rest]
    return [line.rstrip() for line in lines]


def option_rows(fqcn, kind, plugin, options):
    rows = []
    for name, spec in sorted(options.items()):
        type_text = spec['type'] + (' / elements=%s' % spec['elements'] if spec.get('elements') else '')
        rows += table_row([
            # antsibull's label of the option, which O(name) in the plugin's documentation links to.
            '.. _%s:\n\n**%s**' % (get_option_ref(fqcn, kind, None, [name]), rst_escape(name)),
            type_text + (' / required' if spec.get('required') else ''),
            value(spec['default']) if 'default' in spec else '',
            ', '.join(value(choice) for choice in spec.get('choices') or []),
            markup(spec['description'], plugin),
        ])
    return rows


def page(kind, name, doc, examples):
    """The RST page of one plugin."""
    fqcn = '%s.%s' % (COLLECTION, name)
    plugin = dom.PluginIdentifier(fqcn=fqcn, type=kind)
    title = '%s %s -- %s' % (fqcn, KINDS[kind], doc['short_description'])
    lines = [
        '.. _%s:' % get_plugin_ref(fqcn, kind), '',
        rst_escape(title), '=' * len(rst_escape(title)), '',
        '.. contents::', '  :local:', '  :depth: 1', '',
        'Synopsis', '--------', '',
    ]
    description = doc['description'] if isinstance(doc['description'], list) else [doc['description']]
    lines += ['- ' + indent(markup(paragraph, plugin), '  ').lstrip() for paragraph in description]
    for heading, items in (('Requirements', doc.get('requirements')), ('Notes', doc.get('notes'))):
        if items:
            lines += ['', heading, '-' * len(heading), '']
            lines += ['- ' + indent(markup(item, plugin), '  ').lstrip() for item in items]
    if doc['options']:
        lines += ['', 'Parameters', '----------', '',
                  '.. list-table::', '  :header-rows: 1', '  :widths: 20 10 10 15 45', '',
                  *table_row(['Parameter', 'Type', 'Default', 'Choices', 'Description'])]
        lines += option_rows(fqcn, kind, plugin, doc['options'])
    if examples.strip():
        lines += ['', 'Examples', '--------', '', '.. code-block:: yaml+jinja', '', indent(examples.strip('\n'), '  ')]
    return '\n'.join(lines) + '\n'


def index_section(kind, found):
    """The plugins of one type in the index, as antsibull-docs lists modules: links, and a hidden toctree."""
    heading = '%s Plugins' % KINDS[kind].title()
    lines = ['.. _%s_plugins_in_%s:' % (kind, COLLECTION), '', heading, '~' * len(heading), '']
    for _kind, name, doc, _examples in found:
        label = get_plugin_ref('%s.%s' % (COLLECTION, name), kind)
        lines.append('* :ref:`%s %s <%s>` -- %s' % (rst_escape(name), KINDS[kind], label, rst_escape(doc['short_description'])))
    lines += ['', '.. toctree::', '    :maxdepth: 1', '    :hidden:', '']
    lines += ['    %s_%s' % (name, kind) for _kind, name, _doc, _examples in found]
    return '\n'.join(lines) + '\n\n'


def main(rst_dir):
    rst_dir = pathlib.Path(rst_dir)
    found = plugins()
    for kind, name, doc, examples in found:
        (rst_dir / ('%s_%s.rst' % (name, kind))).write_text(page(kind, name, doc, examples), encoding='utf-8')
    index = rst_dir / 'index.rst'
    text = index.read_text(encoding='utf-8')
    if INDEX_END not in text:
        sys.exit('eda_plugin_docs.py: %s has no %r to put the EDA plugins before' % (index, INDEX_END))
    by_kind = {kind: [plugin for plugin in found if plugin[0] == kind] for kind in KINDS}
    sections = ''.join(index_section(kind, listed) for kind, listed in by_kind.items() if listed)
    index.write_text(text.replace(INDEX_END, sections + INDEX_END, 1), encoding='utf-8')
    print('EDA plugin pages: %s' % ', '.join('%s_%s' % (name, kind) for kind, name, _doc, _examples in found))


if __name__ == '__main__':
    main(*sys.argv[1:])
