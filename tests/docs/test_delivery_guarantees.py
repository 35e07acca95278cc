# SPDX-License-Identifier: GPL-3.0-or-later
"""The table of what a stop of ansible-rulebook costs is written twice, in README.md (which Galaxy
shows) and in the docsite's EDA guide: both must say the same, cell for cell."""

import os
import re

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def read(*path):
    with open(os.path.join(REPO, *path), encoding='utf-8') as handle:
        return handle.read()


def cell(text):
    """A cell's words, whatever the markup and the line breaks: ``x`` and `x` alike."""
    return re.sub(r'\s+', ' ', text.replace('``', '`')).strip().rstrip('.').lower()


def readme_rows():
    lines = read('README.md').split('### What a stop costs', 1)[1].splitlines()
    first = next(number for number, line in enumerate(lines) if line.startswith('|'))
    rows = []
    for line in lines[first:]:
        if not line.startswith('|'):
            break
        rows.append(line)
    return [[cell(part) for part in row.strip('|').split(' | ')] for row in rows if not row.startswith('|---')]


def guide_rows():
    section = read('docs', 'docsite', 'rst', 'eda.rst').split('.. list-table::', 1)[1]
    rows, table = [], section.split('\n\n', 2)[1]
    for line in table.splitlines():
        if line.startswith('  * - '):
            rows.append([line[6:]])
        elif line.startswith('    - '):
            rows[-1].append(line[6:])
        else:
            rows[-1][-1] += ' ' + line.strip()
    return [[cell(part) for part in row] for row in rows]


def test_readme_and_guide_state_the_same_guarantees():
    readme, guide = readme_rows(), guide_rows()
    assert len(readme) == 6 and all(len(row) == 3 for row in readme), readme
    assert readme == guide
