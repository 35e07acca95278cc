# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import pytest

from ansible import constants as C
from ansible.errors import AnsibleLookupError
from ansible.plugins.loader import lookup_loader
from ansible_collections.skillops.alexa.plugins.module_utils._lwa import LwaClient

CREDENTIALS = dict(lwa_client_id='amzn1.application-oa2-client.x', lwa_client_secret='client-secret',
                   refresh_token='Atzr|refresh', lwa_url='http://127.0.0.1:9')


@pytest.fixture
def lwa_access_token(tmp_path, monkeypatch):
    monkeypatch.setattr(C, 'DEFAULT_LOCAL_TMP', str(tmp_path))
    for name in ('ASK_LWA_CLIENT_ID', 'ASK_LWA_CLIENT_CONFIRMATION', 'ASK_REFRESH_TOKEN', 'ASK_LWA_TOKEN_HOST',
                 'ASK_ACCESS_TOKEN'):
        monkeypatch.delenv(name, raising=False)
    return lookup_loader.get('skillops.alexa.lwa_access_token')


@pytest.fixture
def grants(monkeypatch):
    """The refresh grants LWA answered, by refresh token."""
    asked = []

    def refresh(lwa, refresh_token):
        asked.append((lwa.token_url, lwa.client_id, refresh_token))
        return {'access_token': 'Atza|%d' % len(asked), 'expires_in': 3600}

    monkeypatch.setattr(LwaClient, 'refresh', refresh)
    return asked


def test_one_token_for_the_same_credentials(lwa_access_token, grants):
    tokens = [lwa_access_token.run([], variables={}, **CREDENTIALS) for dummy in range(3)]
    assert tokens == [['Atza|1']] * 3
    assert grants == [('http://127.0.0.1:9/auth/o2/token', 'amzn1.application-oa2-client.x', 'Atzr|refresh')]


def test_credentials_from_the_ask_cli_environment(lwa_access_token, grants, monkeypatch):
    monkeypatch.setenv('ASK_LWA_CLIENT_ID', 'amzn1.application-oa2-client.env')
    monkeypatch.setenv('ASK_LWA_CLIENT_CONFIRMATION', 'env-secret')
    monkeypatch.setenv('ASK_REFRESH_TOKEN', 'Atzr|env')
    assert lwa_access_token.run([], variables={}) == ['Atza|1']
    assert grants == [('https://api.amazon.com/auth/o2/token', 'amzn1.application-oa2-client.env', 'Atzr|env')]


def test_missing_credentials_are_named_with_their_environment_variables(lwa_access_token, grants):
    with pytest.raises(AnsibleLookupError) as failure:
        lwa_access_token.run([], variables={}, lwa_client_id='amzn1.application-oa2-client.x')
    assert str(failure.value) == ('skillops.alexa.lwa_access_token needs the LWA credentials: set lwa_client_secret '
                                  '(env ASK_LWA_CLIENT_CONFIRMATION), refresh_token (env ASK_REFRESH_TOKEN)')
    assert grants == []


def test_without_refresh_credentials_the_given_access_token(lwa_access_token, grants, monkeypatch):
    monkeypatch.setenv('ASK_ACCESS_TOKEN', 'Atza|given')
    assert lwa_access_token.run([], variables={}) == ['Atza|given']
    assert lwa_access_token.run([], variables={}, **CREDENTIALS) == ['Atza|1']
    assert len(grants) == 1


def test_with_incomplete_refresh_credentials_the_given_access_token(lwa_access_token, grants, monkeypatch):
    # ASK_LWA_CLIENT_ID alone names the profile (consent URLs, other_clients); the modules use the token.
    monkeypatch.setenv('ASK_ACCESS_TOKEN', 'Atza|given')
    monkeypatch.setenv('ASK_LWA_CLIENT_ID', 'amzn1.application-oa2-client.env')
    assert lwa_access_token.run([], variables={}) == ['Atza|given']
    assert grants == []


def test_without_any_credentials_both_ways_are_named(lwa_access_token, grants):
    with pytest.raises(AnsibleLookupError) as failure:
        lwa_access_token.run([], variables={})
    assert 'either access_token (env ASK_ACCESS_TOKEN), or lwa_client_id, lwa_client_secret and refresh_token' \
        in str(failure.value)
    assert grants == []


def test_refuses_terms(lwa_access_token, grants):
    with pytest.raises(AnsibleLookupError, match='takes no terms'):
        lwa_access_token.run(['token'], variables={}, **CREDENTIALS)
