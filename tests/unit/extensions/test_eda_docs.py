# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The documentation of the EDA plugins (no sanity test reads it): valid YAML, every option typed and
described."""

import ast
import glob
import os

import pytest
import yaml

PLUGINS = sorted(glob.glob(os.path.join(os.path.dirname(__file__), '..', '..', '..', 'extensions', 'eda', 'plugins',
                                        '*', '*.py')))


def documented(path):
    with open(path) as source:
        tree = ast.parse(source.read())
    return {node.targets[0].id: yaml.safe_load(node.value.value) for node in tree.body
            if isinstance(node, ast.Assign) and getattr(node.targets[0], 'id', '') in ('DOCUMENTATION', 'EXAMPLES')}


def test_every_plugin_is_found():
    assert sorted(os.path.basename(path) for path in PLUGINS) == [
        'sdns_sqs.py', 'sdns_subscriber_health.py', 'sdns_unwrap.py']


@pytest.mark.parametrize('path', PLUGINS, ids=os.path.basename)
def test_the_documentation_is_yaml(path):
    docs = documented(path)
    assert set(docs) == {'DOCUMENTATION', 'EXAMPLES'}
    assert docs['DOCUMENTATION']['short_description'] and docs['DOCUMENTATION']['description']
    for name, option in (docs['DOCUMENTATION'].get('options') or {}).items():
        assert option.get('type') and option.get('description'), name
