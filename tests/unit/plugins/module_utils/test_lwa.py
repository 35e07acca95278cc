# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qsl, quote, quote_plus, urlsplit

import pytest

from ansible_collections.skillops.alexa.plugins.module_utils._errors import ApiError
from ansible_collections.skillops.alexa.plugins.module_utils._http import HttpTransport, RetryPolicy
from ansible_collections.skillops.alexa.plugins.module_utils._lwa import AccessToken, LwaClient, authorization_url
from ansible_collections.skillops.alexa.plugins.module_utils._secrets import MASK, Secrets

CLIENT_ID = 'amzn1.application-oa2-client.demo'


class FakeLwa:
    def __init__(self):
        self.refreshed = []

    def refresh(self, refresh_token):
        self.refreshed.append(refresh_token)
        return {'access_token': 'minted-%d' % len(self.refreshed), 'expires_in': 3600}


def test_authorization_url():
    url = authorization_url(CLIENT_ID, ['alexa::ask:subscriptions', 'alexa::ask:skills:readwrite'],
                            'https://localhost/callback', state='xyz 1')
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ('https', 'www.amazon.com', '/ap/oa')
    assert parse_qsl(parts.query) == [
        ('client_id', CLIENT_ID), ('scope', 'alexa::ask:subscriptions alexa::ask:skills:readwrite'),
        ('response_type', 'code'), ('redirect_uri', 'https://localhost/callback'), ('state', 'xyz 1')]
    assert 'scope=alexa%3A%3Aask%3Asubscriptions+alexa%3A%3Aask%3Askills%3Areadwrite&' in parts.query
    assert 'redirect_uri=https%3A%2F%2Flocalhost%2Fcallback' in parts.query


def test_authorization_url_without_state_on_another_host():
    url = authorization_url(CLIENT_ID, ['alexa::ask:subscriptions'], 'https://x/cb', authorize_url='http://127.0.0.1:8701/')
    assert url.startswith('http://127.0.0.1:8701/ap/oa?')
    assert [key for key, dummy in parse_qsl(urlsplit(url).query)] == ['client_id', 'scope', 'response_type', 'redirect_uri']


def test_access_token_is_minted_once_and_cached():
    lwa = FakeLwa()
    token = AccessToken(lwa=lwa, refresh_token='r1')
    assert [token.get(), token.get(), token.get()] == ['minted-1'] * 3
    assert lwa.refreshed == ['r1']
    assert token.refresh(stale='minted-1') == 'minted-2'
    assert token.get() == 'minted-2'
    assert lwa.refreshed == ['r1', 'r1']


def test_a_token_already_replaced_is_not_refreshed_again():
    lwa = FakeLwa()
    token = AccessToken(lwa=lwa, refresh_token='r1')
    token.get()
    # Two requests failed with minted-1 at once: the first mints minted-2, the second finds it there.
    assert token.refresh(stale='minted-1') == 'minted-2'
    assert token.refresh(stale='minted-1') == 'minted-2'
    assert lwa.refreshed == ['r1', 'r1']


def test_concurrent_first_uses_mint_one_token():
    class SlowLwa(FakeLwa):
        def refresh(self, refresh_token):
            time.sleep(0.05)
            return super().refresh(refresh_token)

    lwa = SlowLwa()
    token = AccessToken(lwa=lwa, refresh_token='r1')
    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(lambda dummy: token.get(), range(8))) == {'minted-1'}
    assert lwa.refreshed == ['r1']


def test_given_access_token_is_used_as_is():
    lwa = FakeLwa()
    assert AccessToken(lwa=lwa, access_token='given', refresh_token='r1').get() == 'given'
    assert lwa.refreshed == []


@pytest.mark.parametrize('lwa, refresh_token, expected', [
    (FakeLwa(), 'r1', True), (None, 'r1', False), (FakeLwa(), None, False), (FakeLwa(), '', False)])
def test_can_refresh(lwa, refresh_token, expected):
    assert AccessToken(lwa=lwa, access_token='given', refresh_token=refresh_token).can_refresh is expected


@pytest.mark.parametrize('grant, form, resendable', [
    (lambda lwa: lwa.refresh('r1'), {'grant_type': 'refresh_token', 'refresh_token': 'r1'}, True),
    (lambda lwa: lwa.exchange_code('c0de', 'https://localhost/callback'),
     {'grant_type': 'authorization_code', 'code': 'c0de', 'redirect_uri': 'https://localhost/callback'}, False),
])
def test_grants_post_the_form_to_the_token_endpoint(transport_of, response, grant, form, resendable):
    answer = {'access_token': 'a-token', 'refresh_token': 'r2', 'token_type': 'bearer', 'expires_in': 3600}
    transport = transport_of(response(200, answer))
    assert grant(LwaClient(transport, 'http://127.0.0.1:8701/', CLIENT_ID, 's3cret')) == answer
    call, = transport.calls
    assert (call['method'], call['url'], call['service'], call['json']) == ('POST', 'http://127.0.0.1:8701/auth/o2/token', 'lwa', None)
    assert call['data'] == dict(form, client_id=CLIENT_ID, client_secret='s3cret')
    assert call['headers'] == {'Accept': 'application/json'}
    # A refresh may be re-sent after a lost response; a single-use code may not.
    assert call['idempotent'] is resendable


def test_grant_is_resent_after_a_server_error(response):
    class Session:
        headers = {}
        script = [response(503), response(200, {'access_token': 'a', 'token_type': 'bearer', 'expires_in': 3600})]
        sent = []

        def request(self, method, url, **kwargs):
            self.sent.append(kwargs['data'])
            return Streamed(self.script.pop(0), url)

        def mount(self, prefix, adapter):
            pass

    session = Session()
    waits = []
    transport = HttpTransport(session=session, sleep=waits.append, retry=RetryPolicy(rand=lambda low, high: high))
    assert LwaClient(transport, 'https://api.amazon.com', CLIENT_ID, 's').refresh('r1')['access_token'] == 'a'
    assert len(session.sent) == 2 and session.sent[0] == session.sent[1]
    assert waits == [0.5]


class Streamed:
    """A scripted Reply as requests streams it to the transport."""

    def __init__(self, reply, url):
        self.status_code, self.headers, self.reason, self.url = reply.status_code, reply.headers, reply.reason, url
        self._content = reply.content

    def iter_content(self, size):
        yield self._content

    def close(self):
        pass


SECRET = 'Atza|IwEB/refresh+token=='


@pytest.mark.parametrize('answer, sent', [
    ({'token_type': 'bearer', 'expires_in': 3600}, 'access_token missing, token_type \'bearer\', expires_in 3600'),
    ({'access_token': '', 'token_type': 'bearer', 'expires_in': 3600},
     "access_token an empty string, token_type 'bearer', expires_in 3600"),
    ({'access_token': 7, 'token_type': 'bearer', 'expires_in': 3600},
     "access_token a int, token_type 'bearer', expires_in 3600"),
    ({'access_token': SECRET, 'token_type': 'mac', 'expires_in': 3600},
     "access_token a string, token_type 'mac', expires_in 3600"),
    ({'access_token': SECRET, 'expires_in': 3600}, 'access_token a string, token_type missing, expires_in 3600'),
    ({'access_token': SECRET, 'token_type': 'bearer', 'expires_in': 0},
     "access_token a string, token_type 'bearer', expires_in 0"),
    ({'access_token': SECRET, 'token_type': 'bearer', 'expires_in': '3600'},
     "access_token a string, token_type 'bearer', expires_in '3600'"),
    ({'access_token': SECRET, 'token_type': 'bearer', 'expires_in': True},
     "access_token a string, token_type 'bearer', expires_in True"),
    ({'access_token': SECRET, 'token_type': 'bearer', 'expires_in': float('inf')},
     "access_token a string, token_type 'bearer', expires_in inf"),
    ({'error_description': 'nope', 'token_type': 'bearer', 'expires_in': -1},
     "access_token missing, token_type 'bearer', expires_in -1, and error_description"),
])
def test_a_token_answer_without_a_usable_token_says_what_lwa_sent(transport_of, response, answer, sent):
    transport = transport_of(response(200, answer))
    with pytest.raises(ApiError) as caught:
        LwaClient(transport, 'https://api.amazon.com', CLIENT_ID, 's3cret-client').refresh('r1-refresh')
    assert str(caught.value) == (
        'POST /auth/o2/token failed (HTTP 200): LWA answered 200 with application/json where a token (a non-empty '
        'string access_token, token_type bearer and a positive expires_in) was expected; it sent %s' % sent)
    assert caught.value.service == 'lwa' and not caught.value.retryable
    assert 'IwEB' not in repr(caught.value.as_dict())


@pytest.mark.parametrize('status, body, message, oauth_error', [
    (400, {'error': 'invalid_grant', 'error_description': 'The request has an invalid grant parameter'},
     'The request has an invalid grant parameter', 'invalid_grant'),
    (401, {'error': 'invalid_client'}, 'invalid_client', 'invalid_client'),
    (400, ['invalid_grant'], "Bad Request; the body (application/json) is no OAuth error: '[\"invalid_grant\"]'",
     None),
])
def test_lwa_error_reads_the_oauth_shape_and_names_anything_else(
        transport_of, response, status, body, message, oauth_error):
    transport = transport_of(response(status, body, reason='Bad Request'))
    with pytest.raises(ApiError) as caught:
        LwaClient(transport, 'https://api.amazon.com', CLIENT_ID, 's3cret-client').refresh('r1-refresh')
    assert (caught.value.message, caught.value.oauth_error, caught.value.status) == (message, oauth_error, status)


def test_an_lwa_that_echoes_the_form_gets_no_secret_into_the_error(transport_of, response):
    echoed = 'client_secret=%s&refresh_token=%s' % (quote_plus(SECRET), quote_plus('r-' + SECRET))
    transport = transport_of(response(400, {'error': 'invalid_request', 'error_description': echoed}))
    with pytest.raises(ApiError) as caught:
        LwaClient(transport, 'https://api.amazon.com', CLIENT_ID, SECRET).refresh('r-' + SECRET)
    assert 'IwEB' not in str(caught.value) and str(caught.value).count(MASK) == 2


def test_minted_tokens_become_secrets(transport_of, response):
    secrets = Secrets()
    transport = transport_of(response(200, {'access_token': SECRET, 'refresh_token': 'new-refresh-token',
                                            'token_type': 'Bearer', 'expires_in': 3600}))
    LwaClient(transport, 'https://api.amazon.com', CLIENT_ID, 's3cret-client', secrets).exchange_code('c0de-123', 'u')
    assert secrets.mask('%s new-refresh-token s3cret-client c0de-123 %s' % (SECRET, quote(SECRET, safe=''))) == \
        ' '.join([MASK] * 5)


def test_a_failed_mint_is_not_repeated_by_those_waiting_for_it():
    class FailingLwa(FakeLwa):
        def refresh(self, refresh_token):
            super().refresh(refresh_token)
            time.sleep(0.02)
            raise RuntimeError('LWA is down')

    lwa = FailingLwa()
    token = AccessToken(lwa=lwa, access_token='stale', refresh_token='r1')

    def refresh(dummy):
        try:
            token.refresh(stale='stale')
        except RuntimeError as error:
            return str(error)

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(refresh, range(8))) == {'LWA is down'}
    assert lwa.refreshed == ['r1']
