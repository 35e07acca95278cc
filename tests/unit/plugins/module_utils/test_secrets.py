# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import json
from urllib.parse import quote, quote_plus, urlencode

import pytest

from ansible_collections.skillops.alexa.plugins.module_utils._secrets import MASK, Secrets

TOKEN = 'Atza|IwEB/ab+cd="quoted"\\ é'


@pytest.mark.parametrize('spelling', [
    TOKEN,
    quote(TOKEN, safe=''),
    quote_plus(TOKEN),
    quote(TOKEN),
    json.dumps(TOKEN)[1:-1],
    json.dumps(TOKEN, ensure_ascii=False)[1:-1],
    urlencode({'refresh_token': TOKEN}).split('=', 1)[1],
])
def test_every_spelling_a_server_could_echo_is_masked(spelling):
    secrets = Secrets([TOKEN])
    assert secrets.mask('before %s after' % spelling) == 'before %s after' % MASK


def test_a_secret_that_holds_another_is_masked_whole():
    secrets = Secrets(['abcdef', 'abcdef-longer'])
    assert secrets.mask('x abcdef-longer y abcdef') == 'x %s y %s' % (MASK, MASK)


def test_short_and_missing_values_are_no_secrets():
    told = []
    secrets = Secrets(['abc', None, 42, ''], on_add=told.append)
    assert secrets.mask('abc 42') == 'abc 42' and told == []


def test_new_spellings_are_told_once():
    told = []
    secrets = Secrets(on_add=told.append)
    assert secrets.add('secret-value') == 'secret-value'
    secrets.add('secret-value')
    assert len(told) == 1 and 'secret-value' in told[0]
