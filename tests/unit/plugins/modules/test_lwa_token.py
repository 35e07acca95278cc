# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""lwa_token's option names: grant and oauth_state, with action and state as deprecated aliases.

The consent URL is built without any request, so the module runs here as it runs in a play."""

import pytest

from ansible_collections.skillops.alexa.plugins.modules import lwa_token

CONSENT = dict(lwa_client_id='amzn1.application-oa2-client.org', redirect_uri='https://org.example.com/callback',
               authorize_url='https://www.amazon.com')


@pytest.fixture
def run(run_module):
    def run_lwa_token(**args):
        return run_module(lwa_token, **dict(CONSENT, **args))
    return run_lwa_token


def test_new_names_build_the_consent_url_without_deprecations(run):
    result = run(grant='authorization_url', oauth_state='dev3')
    assert 'state=dev3' in result['authorization_url']
    assert not result.get('deprecations')


def test_old_names_still_work_and_are_deprecated(run):
    new = run(grant='authorization_url', oauth_state='dev3')
    old = run(action='authorization_url', state='dev3')
    assert old['authorization_url'] == new['authorization_url']
    # ansible-core 2.19 nests the message in an event; older cores put it at the top.
    deprecated = sorted(item.get('msg') or item['event']['msg'] for item in old['deprecations'])
    assert [msg.split('.')[0] for msg in deprecated] == ["Alias 'action' is deprecated", "Alias 'state' is deprecated"]
    assert {item.get('version') for item in old['deprecations']} == {'0.2.0'}


def test_a_code_with_another_grant_names_the_option(run):
    result = run(grant='authorization_url', code='c0de')
    assert result['failed']
    assert result['msg'] == ('code is used only with grant=authorization_code, not grant=authorization_url: set grant '
                             'to authorization_code to exchange the code, or remove code')
