# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import json
import os
import socket
import ssl
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from types import SimpleNamespace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
import yaml
from requests.exceptions import ConnectionError as RequestsConnectionError, ConnectTimeout, ReadTimeout
from requests.structures import CaseInsensitiveDict
from urllib3.exceptions import MaxRetryError, NameResolutionError, NewConnectionError, ProtocolError, ReadTimeoutError

from ansible_collections.skillops.alexa.plugins.module_utils._http import (
    COLLECTION_VERSION, DONE, FAIL, MAX_BODY_BYTES, RETRY, THROTTLES_ALLOWED, UNKNOWN, AdaptiveLimit, Deadline,
    DeadlineAdapter, HttpFailure, HttpTransport, Reply, RetryPolicy, classify, error_body, failure_of, foreign_error,
    json_body, parse_retry_after, unusable)

URL = 'https://api.amazonalexa.com/v0/developmentEvents/subscribers'
PATH = '/v0/developmentEvents/subscribers'
REFUSED_REDIRECT = 'redirect (HTTP %s) to %s refused: requests are sent only to the configured URL'


# --- a fake requests.Session --------------------------------------------------------------------

class FakeHttpResponse:
    """requests.Response as the transport uses it with stream=True: the body comes from iter_content."""

    def __init__(self, status_code=200, body=None, headers=None, reason='', content=None, url=None):
        if content is None:
            content = b'' if body is None else json.dumps(body).encode()
        self.status_code = status_code
        self.headers = CaseInsensitiveDict(headers or {})
        if body is not None:
            self.headers.setdefault('Content-Type', 'application/json')
        self.reason = reason
        self.url = url
        self.content = content
        self.chunk_sizes = []
        self.bytes_read = 0
        self.closed = False

    def iter_content(self, chunk_size):
        self.chunk_sizes.append(chunk_size)
        for start in range(0, len(self.content), chunk_size):
            chunk = self.content[start:start + chunk_size]
            self.bytes_read += len(chunk)
            yield chunk

    def close(self):
        self.closed = True


class HugeResponse(FakeHttpResponse):
    """A 200 with a body far larger than MAX_BODY_BYTES, made as it is read: counts what the transport read."""

    def iter_content(self, chunk_size):
        self.chunk_sizes.append(chunk_size)
        while self.bytes_read < 4 * MAX_BODY_BYTES:
            self.bytes_read += chunk_size
            yield b'x' * chunk_size


class FakeSession:
    """requests.Session as the transport uses it: pops scripted responses or exceptions, records calls."""

    def __init__(self, script):
        self.headers = {}
        self.mounted = {}
        self.script = list(script)
        self.calls = []

    def mount(self, prefix, adapter):
        self.mounted[prefix] = adapter

    def request(self, method, url, **kwargs):
        self.calls.append(dict(kwargs, method=method, url=url))
        answer = self.script.pop(0)
        if isinstance(answer, Exception):
            raise answer
        if answer.url is None:
            answer.url = url
        return answer


@pytest.fixture
def answer():
    return FakeHttpResponse


@pytest.fixture
def make():
    """A transport over scripted answers; waits are recorded in ``events`` and jitter takes its upper bound."""

    def build(*script, **kwargs):
        session = FakeSession(script)
        events = []
        transport = HttpTransport(session=session, sleep=lambda seconds: events.append(('sleep', seconds)),
                                  retry=RetryPolicy(rand=lambda low, high: high, **kwargs), timeout=12)
        return transport, session, events
    return build


def _sleeps(events):
    return [seconds for kind, seconds in events if kind == 'sleep']


def _json_object(reply):
    return json_body(reply, 'smapi')


def _html(answer, status=200):
    return answer(status, content=b'<html><body>Bad gateway, try later</body></html>',
                  headers={'Content-Type': 'text/html; charset=utf-8'})


# --- RetryPolicy -------------------------------------------------------------------------------

@pytest.mark.parametrize('attempt, bound', [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (6, 16.0), (7, 30.0), (20, 30.0)])
def test_full_jitter_draws_between_zero_and_the_capped_exponential(attempt, bound):
    drawn = []
    policy = RetryPolicy(base_delay=0.5, max_delay=30, rand=lambda low, high: drawn.append((low, high)) or 0.123)
    assert policy.delay(attempt) == 0.123
    assert drawn == [(0, bound)]


def test_default_jitter_stays_within_bounds():
    policy = RetryPolicy(base_delay=1, max_delay=3)
    waits = [policy.delay(5) for dummy in range(200)]
    assert all(0 <= wait <= 3 for wait in waits)
    assert len(set(waits)) > 1


@pytest.mark.parametrize('retry_after, expected', [(0.0, 0.0), (7.0, 7.0), (30.0, 30.0), (30.5, None), (600.0, None)])
def test_retry_after_is_honoured_up_to_the_cap(retry_after, expected):
    policy = RetryPolicy(max_delay=30, rand=lambda low, high: pytest.fail('no jitter when the server says when'))
    assert policy.delay(3, retry_after=retry_after) == expected


def test_at_least_one_attempt():
    assert RetryPolicy(attempts=0).attempts == 1


@pytest.mark.parametrize('value, expected', [
    ('5', 5.0), ('0.25', 0.25), ('0', 0.0), ('-3', 0.0), (None, None), ('', None), ('soon', None),
    ('Wed, 21 Oct 2015 07:28:00 GMT', 12.0), ('Wed, 21 Oct 2015 07:27:00 GMT', 0.0),
])
def test_parse_retry_after(value, expected):
    now = datetime(2015, 10, 21, 7, 27, 48, tzinfo=timezone.utc)
    assert parse_retry_after(value, now=now) == expected


# --- HttpTransport: what it hands the session ----------------------------------------------------

def test_every_attempt_sends_the_same_request_without_redirects_streamed_under_the_timeout(make, answer):
    transport, session, dummy = make(answer(503), answer(200))
    transport.request('GET', URL, 'smapi', headers={'Accept': 'application/json'}, params={'vendorId': 'V'})
    assert len(session.calls) == 2
    for call in session.calls:
        connect, read = call.pop('timeout')
        # A fresh deadline for each attempt, never more than the transport's timeout.
        assert 11 < connect <= 12 and 11 < read <= 12
    expected = dict(method='GET', url=URL, headers={'Accept': 'application/json'}, params={'vendorId': 'V'},
                    json=None, data=None, allow_redirects=False, stream=True, verify=True)
    assert session.calls == [expected, expected]


def test_validate_certs_false_reaches_the_session(answer):
    session = FakeSession([answer(200)])
    HttpTransport(session=session, validate_certs=False).request('GET', URL, 'smapi')
    assert session.calls[0]['verify'] is False


def test_a_real_session_gets_the_deadline_adapter_sized_for_the_concurrency():
    transport = HttpTransport(max_concurrency=4, retry=RetryPolicy(max_delay=7))
    try:
        for url in (URL, 'http://127.0.0.1/'):
            adapter = transport.session.get_adapter(url)
            assert isinstance(adapter, DeadlineAdapter) and adapter._pool_maxsize == 4
        assert (transport.limit.maximum, transport.limit.max_hold) == (4, 7.0)
    finally:
        transport.session.close()
    assert HttpTransport(session=FakeSession([])).limit is None


def test_a_2xx_becomes_a_complete_reply_and_the_response_is_closed(make, answer):
    sent = answer(201, {'id': 'amzn1.x'}, headers={'Location': PATH + '/amzn1.x'}, reason='Created')
    transport, dummy, dummy2 = make(sent)
    reply = transport.request('POST', URL, 'smapi', json={'name': 'x'})
    assert isinstance(reply, Reply)
    assert (reply.status_code, reply.reason, reply.method, reply.url) == (201, 'Created', 'POST', URL)
    assert reply.json() == {'id': 'amzn1.x'} and reply.headers['location'] == PATH + '/amzn1.x'
    assert sent.closed and sent.chunk_sizes == [64 * 1024]


# --- HttpTransport: retries --------------------------------------------------------------------

@pytest.mark.parametrize('status', [429, 500, 502, 503, 504])
def test_retryable_status_is_retried_with_backoff_then_succeeds(make, answer, status):
    script = [answer(status), answer(status), answer(status), answer(200, {'ok': True})]
    transport, session, events = make(*script)
    reply = transport.request('GET', URL, 'smapi', params={'vendorId': 'V'})
    assert (reply.status_code, reply.json()) == (200, {'ok': True})
    assert len(session.calls) == 4
    assert _sleeps(events) == [0.5, 1.0, 2.0]
    assert all(sent.closed for sent in script)


def test_sleeps_exactly_what_retry_after_says(make, answer):
    transport, dummy, events = make(answer(429, headers={'Retry-After': '3'}),
                                    answer(503, headers={'Retry-After': '0'}), answer(200))
    transport.request('GET', URL, 'smapi')
    assert _sleeps(events) == [3.0, 0.0]


def test_retry_after_above_the_cap_gives_up_at_once_and_says_why(make, answer):
    transport, session, events = make(answer(429, {'message': 'slow down'}, headers={'Retry-After': '120'}),
                                      max_delay=10)
    with pytest.raises(HttpFailure) as caught:
        transport.request('GET', URL, 'smapi')
    failure = caught.value
    assert len(session.calls) == 1 and events == []
    assert (failure.status, failure.retry_after, failure.attempts, failure.retryable) == (429, 120.0, 1, True)
    assert failure.notes == ['the server asked to retry after 120.0s, more than retry_max_delay=10.0s']
    assert failure.reply.json() == {'message': 'slow down'}


def test_gives_up_after_the_configured_attempts(make, answer):
    transport, session, events = make(answer(500), answer(502), answer(504, {'message': 'upstream timed out'}),
                                      attempts=3)
    with pytest.raises(HttpFailure) as caught:
        transport.request('GET', URL + '?vendorId=V', 'lwa')
    failure = caught.value
    assert len(session.calls) == 3
    assert _sleeps(events) == [0.5, 1.0]
    assert (failure.status, failure.attempts, failure.retryable) == (504, 3, True)
    assert (failure.method, failure.path, failure.service) == ('GET', PATH, 'lwa')
    assert failure.reply.json() == {'message': 'upstream timed out'} and failure.notes == []


def test_first_attempt_carries_the_count_on(make, answer):
    transport, session, events = make(answer(503), answer(503), answer(200), attempts=5)
    with pytest.raises(HttpFailure) as caught:
        transport.request('GET', URL, 'smapi', first_attempt=4)
    assert len(session.calls) == 2 and (caught.value.attempts, caught.value.budget) == (5, 5)
    # The backoff grows from the attempt it starts at.
    assert _sleeps(events) == [4.0]


def test_a_budget_carried_on_replaces_the_policys_attempts(make, answer):
    transport, session, events = make(answer(503), answer(503), answer(503), answer(200), attempts=2)
    with pytest.raises(HttpFailure) as caught:
        transport.request('GET', URL, 'smapi', first_attempt=2, budget=4)
    assert len(session.calls) == 3 and (caught.value.attempts, caught.value.budget) == (4, 4)
    assert _sleeps(events) == [1.0, 2.0]


# Built as requests builds them from urllib3's errors.
READ_TIMEOUT = ReadTimeout(ReadTimeoutError(None, '/v0', 'Read timed out. (read timeout=30)'))
RESET = RequestsConnectionError(ProtocolError('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer')))
TRUNCATED = requests.exceptions.ChunkedEncodingError(ProtocolError('Response ended prematurely'))
REFUSED = RequestsConnectionError(MaxRetryError(None, '/v0', NewConnectionError(
    None, 'Failed to establish a new connection: [Errno 111] Connection refused')))
UNRESOLVED = RequestsConnectionError(MaxRetryError(None, '/v0', NameResolutionError(
    'api.amazonalexa.com', None, socket.gaierror(-2, 'Name or service not known'))))
NO_CONNECT = ConnectTimeout('Connection to api.amazonalexa.com timed out.')


def test_connection_failures_exhaust_attempts(make):
    transport, session, events = make(*[ConnectTimeout('timed out')] * 2, attempts=2)
    with pytest.raises(HttpFailure) as caught:
        transport.request('GET', URL, 'smapi')
    failure = caught.value
    assert len(session.calls) == 2 and _sleeps(events) == [0.5]
    assert (failure.reason, failure.status, failure.attempts) == ('ConnectTimeout: timed out', None, 2)
    assert (failure.retryable, failure.maybe_stored) == (True, False)


@pytest.mark.parametrize('failure', [READ_TIMEOUT, RESET, TRUNCATED, NO_CONNECT, REFUSED, UNRESOLVED])
def test_a_get_is_resent_after_any_transport_failure(make, answer, failure):
    transport, session, events = make(failure, answer(200))
    assert transport.request('GET', URL, 'smapi').status_code == 200
    assert len(session.calls) == 2 and _sleeps(events) == [0.5]


@pytest.mark.parametrize('failure, reason', [
    (RESET, 'Connection reset by peer'),
    (TRUNCATED, 'Response ended prematurely'),
    (REFUSED, 'Connection refused'),
    (UNRESOLVED, 'Name or service not known'),
])
def test_connection_failure_reason_names_the_error_and_keeps_the_whole_cause(make, failure, reason):
    transport, dummy, dummy2 = make(failure, attempts=1)
    with pytest.raises(HttpFailure) as caught:
        transport.request('GET', URL, 'smapi')
    text = caught.value.reason
    assert text.startswith(type(failure).__name__ + ': ') and reason in text, text


# --- HttpTransport: answers that are not retried ----------------------------------------------

@pytest.mark.parametrize('method', ['GET', 'POST', 'DELETE'])
@pytest.mark.parametrize('status', [400, 401, 403, 404, 409, 422])
def test_other_client_errors_raise_at_once_with_the_reply(make, answer, method, status):
    transport, session, events = make(answer(status, {'message': 'no'}, reason='Nope'), answer(200))
    with pytest.raises(HttpFailure) as caught:
        transport.request(method, URL, 'smapi', json={'name': 'x'}, check=lambda reply: pytest.fail('not a 2xx'))
    failure = caught.value
    assert len(session.calls) == 1 and events == []
    assert (failure.status, failure.reason, str(failure)) == (status, None, 'HTTP %s' % status)
    assert (failure.method, failure.path, failure.service, failure.attempts) == (method, PATH, 'smapi', 1)
    assert (failure.retryable, failure.maybe_stored, failure.retry_after) == (False, False, None)
    assert (failure.reply.json(), failure.reply.reason, failure.reply.url) == ({'message': 'no'}, 'Nope', URL)


@pytest.mark.parametrize('failure', [requests.exceptions.MissingSchema('no scheme'),
                                     requests.exceptions.InvalidURL('bad url'),
                                     requests.exceptions.InvalidSchema('no adapter for ftp://'),
                                     requests.exceptions.SSLError('certificate verify failed')])
def test_failures_no_retry_can_mend_fail_at_once(make, answer, failure):
    transport, session, events = make(failure, answer(200))
    with pytest.raises(HttpFailure) as caught:
        transport.request('GET', URL, 'smapi')
    assert len(session.calls) == 1 and events == []
    assert caught.value.reason == '%s: %s' % (type(failure).__name__, failure)
    assert caught.value.retryable is False and caught.value.status is None


# --- HttpTransport: redirects are never followed ------------------------------------------------

@pytest.mark.parametrize('method', ['GET', 'POST'])
@pytest.mark.parametrize('status', [301, 302, 303, 307, 308])
@pytest.mark.parametrize('location, origin', [
    ('https://evil.example:8443/auth/o2/token?x=1', 'https://evil.example:8443'),
    ('http://api.amazonalexa.com/v0/developmentEvents/subscribers', 'http://api.amazonalexa.com'),
    ('/v1/developmentEvents/subscribers', 'the same origin'),
    (None, 'nowhere'),
    ('http://[::1/x', 'an address that does not parse'),
    ('https://user:pass-word@evil.example/x', 'https://evil.example'),
    ('//evil.example:81/x', '//evil.example:81'),
])
def test_a_redirect_fails_at_once_naming_the_origin_of_its_location(make, answer, method, status, location, origin):
    redirect = answer(status, headers={'Location': location} if location else {}, reason='Moved')
    transport, session, events = make(redirect, answer(200))
    with pytest.raises(HttpFailure) as caught:
        transport.request(method, URL, 'lwa', data={'client_secret': 's'}, check=lambda reply: pytest.fail('a 3xx'))
    failure = caught.value
    assert len(session.calls) == 1 and events == [] and redirect.closed
    assert failure.reason == REFUSED_REDIRECT % (status, origin)
    assert (failure.status, failure.retryable, failure.maybe_stored) == (status, False, False)
    assert (failure.method, failure.path, failure.service) == (method, PATH, 'lwa')


# --- HttpTransport: POST whose outcome is unknown is not re-sent ----------------------------------

@pytest.mark.parametrize('failure, status', [('500', 500), ('503', 503), (READ_TIMEOUT, None), (RESET, None),
                                             (TRUNCATED, None)])
def test_post_with_unknown_outcome_raises_maybe_stored_after_one_attempt(make, answer, failure, status):
    if isinstance(failure, str):
        failure = answer(int(failure), reason='Service Unavailable')
    transport, session, events = make(failure, answer(201))
    with pytest.raises(HttpFailure) as caught:
        transport.request('POST', URL, 'smapi', json={'name': 'x'})
    raised = caught.value
    assert len(session.calls) == 1 and events == []
    assert (raised.status, raised.maybe_stored, raised.retryable, raised.attempts) == (status, True, True, 1)
    assert (raised.method, raised.path, raised.service) == ('POST', PATH, 'smapi')


def test_post_with_unknown_outcome_keeps_the_count_of_its_caller(make, answer):
    transport, session, events = make(answer(503), attempts=5)
    with pytest.raises(HttpFailure) as caught:
        transport.request('POST', URL, 'smapi', json={'name': 'x'}, first_attempt=3)
    assert (caught.value.attempts, caught.value.budget) == (3, 5) and caught.value.maybe_stored and events == []
    # What the caller asks before sending again: the wait after the third attempt, and none after the last.
    assert transport.backoff(caught.value) == 2.0
    caught.value.attempts = 5
    assert transport.backoff(caught.value) is None


def test_an_idempotent_post_is_resent_like_a_get(make, answer):
    transport, session, events = make(answer(503), READ_TIMEOUT, answer(200))
    assert transport.request('POST', URL, 'lwa', data={'grant_type': 'refresh_token'}, idempotent=True).status_code == 200
    assert len(session.calls) == 3 and _sleeps(events) == [0.5, 1.0]


def test_a_request_declared_not_idempotent_is_not_resent(make, answer):
    transport, session, events = make(answer(502), answer(200))
    with pytest.raises(HttpFailure) as caught:
        transport.request('PUT', URL, 'smapi', json={}, idempotent=False)
    assert len(session.calls) == 1 and events == [] and caught.value.maybe_stored


def test_post_throttled_is_resent(make, answer):
    transport, session, events = make(answer(429), answer(429, headers={'Retry-After': '2'}), answer(201))
    assert transport.request('POST', URL, 'smapi', json={'name': 'x'}).status_code == 201
    assert len(session.calls) == 3
    assert _sleeps(events) == [0.5, 2.0]


def test_post_throttled_to_the_last_attempt_says_nothing_was_stored(make, answer):
    transport, session, events = make(answer(429), answer(429), attempts=2)
    with pytest.raises(HttpFailure) as caught:
        transport.request('POST', URL, 'smapi', json={'name': 'x'})
    assert len(session.calls) == 2
    assert (caught.value.status, caught.value.maybe_stored, caught.value.attempts) == (429, False, 2)


@pytest.mark.parametrize('failure', [NO_CONNECT, REFUSED, UNRESOLVED])
def test_post_that_never_connected_is_resent(make, answer, failure):
    transport, session, events = make(failure, answer(201))
    assert transport.request('POST', URL, 'smapi', json={'name': 'x'}).status_code == 201
    assert len(session.calls) == 2
    assert _sleeps(events) == [0.5]


# --- HttpTransport: check turns a 2xx into the caller's value ------------------------------------

def test_check_turns_a_2xx_into_what_request_returns(make, answer):
    transport, dummy, dummy2 = make(answer(200, {'vendors': []}))
    seen = []
    assert transport.request('GET', URL, 'smapi', check=lambda reply: seen.append(reply) or 'value') == 'value'
    assert seen[0].json() == {'vendors': []} and seen[0].method == 'GET'


def test_a_retryable_check_failure_is_retried_for_a_get(make, answer):
    transport, session, events = make(_html(answer), answer(200, {'ok': True}))
    assert transport.request('GET', URL, 'smapi', check=_json_object) == {'ok': True}
    assert len(session.calls) == 2 and _sleeps(events) == [0.5]


def test_a_retryable_check_failure_exhausts_the_attempts_of_a_get(make, answer):
    transport, session, events = make(_html(answer), _html(answer), attempts=2)
    with pytest.raises(HttpFailure) as caught:
        transport.request('GET', URL, 'smapi', check=_json_object)
    failure = caught.value
    assert len(session.calls) == 2 and _sleeps(events) == [0.5]
    assert (failure.attempts, failure.retryable, failure.maybe_stored, failure.status) == (2, True, False, 200)


def test_a_retryable_check_failure_of_a_post_is_raised_as_maybe_stored(make, answer):
    transport, session, events = make(_html(answer, 201), answer(201, {'id': 'amzn1.x'}))
    with pytest.raises(HttpFailure) as caught:
        transport.request('POST', URL, 'smapi', json={'name': 'x'}, check=_json_object)
    failure = caught.value
    assert len(session.calls) == 1 and events == []
    assert (failure.maybe_stored, failure.retryable, failure.status, failure.attempts) == (True, True, 201, 1)
    assert (failure.method, failure.path, failure.service) == ('POST', PATH, 'smapi')
    assert failure.reason == ("SMAPI answered 201 with text/html where a JSON object was expected: "
                              "'<html><body>Bad gateway, try later</body></html>'")


def test_a_retryable_check_failure_of_an_idempotent_post_is_retried(make, answer):
    transport, session, events = make(_html(answer), answer(200, {'access_token': 'a'}))
    assert transport.request('POST', URL, 'lwa', data={}, check=_json_object, idempotent=True) == {'access_token': 'a'}
    assert len(session.calls) == 2


def _no_location(reply):
    raise unusable(reply, 'smapi', 'a Location header')


@pytest.mark.parametrize('method', ['GET', 'POST'])
@pytest.mark.parametrize('check', [_json_object, _no_location])   # JSON but not an object; a caller's own verdict
def test_a_check_failure_that_is_not_retryable_is_raised_at_once(make, answer, method, check):
    transport, session, events = make(answer(200, ['not', 'an', 'object']), answer(200, {'ok': True}))
    with pytest.raises(HttpFailure) as caught:
        transport.request(method, URL, 'smapi', check=check)
    failure = caught.value
    assert len(session.calls) == 1 and events == []
    assert (failure.retryable, failure.status, failure.attempts) == (False, 200, 1)
    # A POST answered 2xx was stored, whatever its body says.
    assert failure.maybe_stored is (method == 'POST')


def test_an_error_in_check_itself_is_not_swallowed(make, answer):
    transport, session, dummy = make(answer(200), answer(200))
    with pytest.raises(ZeroDivisionError):
        transport.request('GET', URL, 'smapi', check=lambda reply: 1 // 0)
    assert len(session.calls) == 1


@pytest.mark.parametrize('content, expected', [
    (b'', 'an empty body'),
    (b'  <p>\n  Oops  </p> ', "'<p> Oops </p>'"),
    (b'y' * 200, "'%s...'" % ('y' * 160)),
    ('caf\u00e9 \\ "q"'.encode(), "'%s'" % 'caf\u00e9 \\ "q"'),   # quoted as it is, not escaped
])
def test_unusable_quotes_the_start_of_the_body(content, expected):
    reply = Reply(200, {'Content-Type': 'text/plain'}, content, method='GET', url=URL + '?nextToken=t')
    failure = unusable(reply, 'lwa', 'a token answer')
    assert failure.reason == 'LWA answered 200 with text/plain where a token answer was expected: %s' % expected
    assert (failure.path, failure.service, failure.status, failure.retryable) == (PATH, 'lwa', 200, False)


def test_unusable_masks_the_whole_body_before_cutting_it():
    secret = 'Atza|' + 's' * 40
    content = ('x' * 140 + secret + ' tail').encode()   # the secret straddles the cut at 160 characters
    reply = Reply(200, {'Content-Type': 'text/plain'}, content, url=URL)
    failure = unusable(reply, 'smapi', 'a JSON object', mask=lambda text: text.replace(secret, '********'))
    assert failure.reason.endswith(": '%s******** tail'" % ('x' * 140))
    assert 'Atza' not in failure.reason


@pytest.mark.parametrize('content, retryable', [
    (b'<html>', True), (b'', True), (b'{"a": ', True), (b'[' * 100000 + b']' * 100000, True),   # not JSON (at all)
    (b'[1]', False), (b'"text"', False), (b'null', False),                                       # JSON, not an object
])
def test_json_body_says_whether_another_attempt_may_help(content, retryable):
    with pytest.raises(HttpFailure) as caught:
        json_body(Reply(200, {'Content-Type': 'application/json'}, content, url=URL), 'smapi')
    assert caught.value.retryable is retryable and caught.value.status == 200


def test_json_body_returns_the_object():
    assert json_body(Reply(200, {}, b'{"a": [1]}'), 'smapi') == {'a': [1]}
    assert json_body(Reply(200, {}, b'[1]'), 'smapi', kind=list, expected='a list') == [1]


# --- HttpTransport: the size of an answer ------------------------------------------------------

def test_a_body_of_exactly_the_limit_is_read_whole(make, answer):
    transport, dummy, dummy2 = make(answer(200, content=b'z' * MAX_BODY_BYTES))
    assert transport.request('GET', URL, 'smapi').content == b'z' * MAX_BODY_BYTES


@pytest.mark.parametrize('method', ['GET', 'POST'])
def test_a_body_over_the_limit_is_refused_without_reading_it_all(make, answer, method):
    huge = HugeResponse(200)
    transport, session, events = make(huge, answer(200))
    with pytest.raises(HttpFailure) as caught:
        transport.request(method, URL, 'smapi', check=lambda reply: pytest.fail('refused before check'))
    failure = caught.value
    assert failure.reason == 'the answer is larger than %d bytes' % MAX_BODY_BYTES
    assert (failure.retryable, failure.attempts, failure.method, failure.path) == (False, 1, method, PATH)
    assert len(session.calls) == 1 and events == []
    assert huge.closed and MAX_BODY_BYTES < huge.bytes_read <= MAX_BODY_BYTES + 64 * 1024


def test_an_error_body_over_the_limit_is_refused_too(make, answer):
    transport, session, dummy = make(answer(500, content=b'e' * (MAX_BODY_BYTES + 1)), answer(200))
    with pytest.raises(HttpFailure) as caught:
        transport.request('GET', URL, 'smapi')
    assert caught.value.reason == 'the answer is larger than %d bytes' % MAX_BODY_BYTES
    assert len(session.calls) == 1


# --- HttpTransport.backoff -------------------------------------------------------------------

def test_backoff_gives_the_wait_before_the_next_attempt_and_none_after_the_last(make):
    transport, dummy, dummy2 = make(attempts=3)
    assert [transport.backoff(HttpFailure('x', attempts=attempt)) for attempt in (1, 2, 3, 4)] == [0.5, 1.0, None, None]
    # A failure's own budget (throttles under an AdaptiveLimit earn more attempts) overrides the policy's.
    assert [transport.backoff(HttpFailure('x', attempts=attempt, budget=5)) for attempt in (3, 4, 5)] == [2.0, 4.0, None]
    assert transport.backoff(HttpFailure('x', attempts=2, budget=2)) is None


def test_backoff_honours_retry_after_and_notes_one_that_is_too_long(make):
    transport, dummy, dummy2 = make(attempts=3, max_delay=10)
    short = HttpFailure('x', attempts=1, retry_after=4.0)
    assert transport.backoff(short) == 4.0 and short.notes == []
    long = HttpFailure('x', attempts=1, retry_after=11.0)
    assert transport.backoff(long) is None
    assert long.notes == ['the server asked to retry after 11.0s, more than retry_max_delay=10.0s']
    last = HttpFailure('x', attempts=3, retry_after=11.0)
    assert transport.backoff(last) is None and last.notes == []   # no attempt left anyway


# --- identity -----------------------------------------------------------------------------------

def _collection_version():
    # galaxy.yml in a checkout; MANIFEST.json in a copy installed from the tarball, which has no galaxy.yml.
    here = os.path.dirname(os.path.abspath(__file__))
    while True:
        if os.path.isfile(os.path.join(here, 'galaxy.yml')):
            with open(os.path.join(here, 'galaxy.yml')) as galaxy:
                return yaml.safe_load(galaxy)['version']
        if os.path.isfile(os.path.join(here, 'MANIFEST.json')):
            with open(os.path.join(here, 'MANIFEST.json')) as manifest:
                return json.load(manifest)['collection_info']['version']
        parent = os.path.dirname(here)
        assert parent != here, 'neither galaxy.yml nor MANIFEST.json above the test file'
        here = parent


def test_collection_version_matches_the_collection_metadata():
    assert COLLECTION_VERSION == _collection_version()


# --- classify: the verdict on one attempt, a pure function -------------------------------------

@pytest.mark.parametrize('method, status, action', [
    ('GET', 200, DONE), ('POST', 201, DONE), ('DELETE', 204, DONE),
    ('GET', 400, FAIL), ('POST', 403, FAIL), ('DELETE', 404, FAIL),
    ('GET', 429, RETRY), ('POST', 429, RETRY),       # a throttled request was refused before any work
    ('GET', 503, RETRY), ('PUT', 500, RETRY),         # repeating a read or an update is harmless
    ('POST', 500, UNKNOWN), ('POST', 503, UNKNOWN),   # a create may have been stored before the 5xx
    ('GET', 302, FAIL), ('POST', 307, FAIL),
])
def test_classify_a_reply(method, status, action):
    reply = Reply(status, {'Retry-After': '2'}, b'', method=method, url=URL + '?vendorId=V')
    outcome = classify(method, reply, method != 'POST')
    assert outcome.action == action
    failure = outcome.failure
    assert (failure is None) == (action == DONE)
    if failure is not None:
        assert (failure.status, failure.reply, failure.path) == (status, reply, PATH)
        assert failure.retryable is (action in (RETRY, UNKNOWN))
        assert failure.retry_after == (2.0 if action in (RETRY, UNKNOWN) else None)
        assert failure.maybe_stored is (status in (500, 503))


@pytest.mark.parametrize('status, idempotent, action', [(503, True, RETRY), (503, False, UNKNOWN),
                                                        (429, False, RETRY), (404, False, FAIL)])
def test_classify_follows_idempotent_not_the_method(status, idempotent, action):
    assert classify('POST', Reply(status, url=URL), idempotent).action == action
    assert classify('GET', Reply(status, url=URL), idempotent).action == action


@pytest.mark.parametrize('retryable, maybe_stored, idempotent, action', [
    (False, False, True, FAIL), (False, True, False, FAIL),
    (True, False, False, RETRY), (True, False, True, RETRY),
    (True, True, True, RETRY), (True, True, False, UNKNOWN),
])
def test_classify_a_failure(retryable, maybe_stored, idempotent, action):
    failure = HttpFailure('x', retryable=retryable, maybe_stored=maybe_stored)
    assert classify('POST', failure, idempotent) == (action, failure)


@pytest.mark.parametrize('exception, retryable, post_maybe_stored', [
    (NO_CONNECT, True, False),                 # never connected: never sent
    (REFUSED, True, False),
    (UNRESOLVED, True, False),
    (RESET, True, True),                       # sent: a POST may have been stored
    (TRUNCATED, True, True),
    (requests.exceptions.SSLError('certificate verify failed'), False, None),   # failed at once either way
    (requests.exceptions.MissingSchema('no scheme'), False, None),
])
def test_failure_of_judges_an_exception_by_its_type_and_causes(exception, retryable, post_maybe_stored):
    for method, post in (('GET', False), ('POST', True)):
        failure = failure_of(exception, method, post, expired=False)
        assert (failure.method, failure.status, failure.retryable) == (method, None, retryable)
        if post_maybe_stored is not None:
            assert failure.maybe_stored is (post and post_maybe_stored)
        assert failure.reason.startswith(type(exception).__name__ + ': ')


@pytest.mark.parametrize('exception', [
    READ_TIMEOUT,                                                   # waiting for the headers
    RequestsConnectionError(ReadTimeoutError(None, '/v0', 'Read timed out.')),   # reading the body
], ids=['headers', 'body'])
def test_a_read_that_timed_out_is_told_as_the_deadline_before_its_timer_says_so(exception):
    # A read waits at most what was left of the deadline: on a busy host it can time out a moment
    # before the deadline's timer marks the attempt expired. The task must say the same either way.
    for method, post in (('GET', False), ('POST', True)):
        failure = failure_of(exception, method, post, expired=False)
        assert failure.reason == 'no complete answer within the deadline (timeout)'
        assert (failure.retryable, failure.maybe_stored) == (True, post)


@pytest.mark.parametrize('exception, sent', [
    (READ_TIMEOUT, True), (RESET, True), (TRUNCATED, True), (RequestsConnectionError('gone'), True),
    (None, True),                                   # no exception: the deadline cut an answer that looked whole
    (NO_CONNECT, False), (REFUSED, False), (UNRESOLVED, False),   # the deadline passed before a connection
])
def test_failure_of_an_attempt_past_its_deadline_is_a_retryable_timeout(exception, sent):
    for method, post in (('GET', False), ('POST', True)):
        failure = failure_of(exception, method, post, expired=True)
        assert failure.reason == 'no complete answer within the deadline (timeout)'
        assert (failure.retryable, failure.maybe_stored) == (True, post and sent)


@pytest.mark.parametrize('content, expected', [
    (b'{"message": "No such vendor."}', {'message': 'No such vendor.'}),
    (b'{"message": 404}', None), (b'{"error": "x"}', None), (b'["message"]', None),
    (b'<html>Bad gateway</html>', None), (b'', None),
])
def test_error_body_is_the_services_own_shape_or_none(content, expected):
    assert error_body(Reply(400, {'Content-Type': 'application/json'}, content), 'message') == expected


def test_foreign_error_names_the_reason_the_content_type_and_the_masked_body():
    reply = Reply(502, {'Content-Type': 'text/html; charset=utf-8'}, b'<h1>Bad gateway</h1> token hunter2', reason='Bad Gateway')
    assert foreign_error(reply, 'SMAPI error', mask=lambda text: text.replace('hunter2', '********')) == (
        "Bad Gateway; the body (text/html) is no SMAPI error: '<h1>Bad gateway</h1> token ********'")
    assert foreign_error(Reply(500), 'OAuth error') == 'no reason; the body (no content type) is no OAuth error: an empty body'


# --- Deadline: one attempt's end, enforced on its sockets ---------------------------------------

@pytest.fixture
def socket_pair():
    pair = socket.socketpair()
    for sock in pair:
        sock.settimeout(5)
    yield pair
    for sock in pair:
        sock.close()


def test_remaining_counts_down_and_never_reaches_zero():
    now = [50.0]
    deadline = Deadline(5, clock=lambda: now[0])
    assert deadline.remaining() == 5
    now[0] += 4.5
    assert deadline.remaining() == pytest.approx(0.5)
    now[0] += 10
    assert deadline.remaining() == 0.001


def test_a_deadline_shuts_down_its_connections_when_it_passes(socket_pair):
    mine, peer = socket_pair
    started = time.monotonic()
    with Deadline(0.2) as deadline:
        deadline.watch(SimpleNamespace(sock=mine))
        assert mine.recv(1) == b''   # blocked until the watchdog shut the socket down
    assert deadline.expired and deadline.cut and 0.15 < time.monotonic() - started < 2


def test_a_deadline_finds_the_socket_under_a_tls_wrapper(socket_pair):
    # Through a proxy over TLS, urllib3's connection holds an SSLTransport whose ``socket`` is the real one.
    mine, peer = socket_pair
    with Deadline(0.1) as deadline:
        deadline.watch(SimpleNamespace(sock=SimpleNamespace(socket=mine)))
        assert mine.recv(1) == b''
    assert deadline.cut


def test_a_connection_watched_after_the_deadline_is_shut_down_at_once(socket_pair):
    mine, peer = socket_pair
    with Deadline(0.05) as deadline:
        time.sleep(0.2)
        assert deadline.expired and not deadline.cut
        deadline.watch(SimpleNamespace(sock=mine))
        started = time.monotonic()
        assert mine.recv(4) == b''
        assert time.monotonic() - started < 1
    assert deadline.cut


def test_an_idle_deadline_expires_without_cutting_anything():
    with Deadline(0.05) as deadline:
        time.sleep(0.2)
    assert deadline.expired and not deadline.cut


def test_a_connection_released_to_the_pool_is_left_alone(socket_pair):
    mine, peer = socket_pair
    connection = SimpleNamespace(sock=mine)
    with Deadline(0.1) as deadline:
        deadline.watch(connection)
        deadline.release(connection)
        time.sleep(0.3)
        assert deadline.expired and not deadline.cut
        peer.sendall(b'next')
        assert mine.recv(4) == b'next'


def test_a_deadline_that_ended_in_time_leaves_its_connections_alone(socket_pair):
    mine, peer = socket_pair
    with Deadline(0.1) as deadline:
        deadline.watch(SimpleNamespace(sock=mine))
    time.sleep(0.3)
    # The socket went back to the pool: its next request must find it whole.
    peer.sendall(b'next')
    assert mine.recv(4) == b'next' and not deadline.expired and not deadline.cut


def test_a_deadline_that_ended_in_time_leaves_no_watchdog_behind():
    with Deadline(30) as deadline:
        pass
    deadline._timer.join(2)
    assert not deadline._timer.is_alive()


def test_a_watchdog_that_fires_as_the_attempt_ends_leaves_the_socket_alone(socket_pair):
    mine, peer = socket_pair
    with Deadline(30) as deadline:
        deadline.watch(SimpleNamespace(sock=mine))
    deadline._expire()   # the timer thread, already running when the attempt ended in time
    deadline.watch(SimpleNamespace(sock=mine))   # a connection of the thread's next attempt, too early
    peer.sendall(b'next')
    assert mine.recv(4) == b'next' and not deadline.expired and not deadline.cut


# --- AdaptiveLimit: requests in flight for a module that sends many at once -----------------------

def _verdict(status, headers=None):
    return classify('GET', Reply(status, headers, url=URL), True)


def test_a_raise_does_not_hide_a_throttle_of_a_request_sent_before_it():
    limit = AdaptiveLimit(2)
    limit.record(0, _verdict(429))        # 2 -> 1, round 1
    with limit.slot() as early:
        pass
    limit.record(early, _verdict(200))    # 1 -> 2
    limit.record(early, _verdict(429))    # sent in round 1, the last decrease's: counts
    assert limit.limit == 1


def test_a_throttle_halves_the_limit_once_per_round():
    limit = AdaptiveLimit(8)
    rounds = []
    for dummy in range(4):
        with limit.slot() as sent_in:
            rounds.append(sent_in)
    # Four requests sent in the same round are all throttled: the limit halves once, not four times.
    for sent_in in rounds:
        limit.record(sent_in, _verdict(429))
    assert (limit.limit, limit.throttled, limit.lowest) == (4, 4, 4)
    with limit.slot() as sent_in:
        pass
    limit.record(sent_in, _verdict(429))
    assert limit.limit == 2


def test_successes_grow_the_limit_back_one_at_a_time_up_to_the_maximum():
    limit = AdaptiveLimit(3)
    limit.record(0, _verdict(429))
    assert limit.limit == 1
    seen = []
    for dummy in range(10):
        with limit.slot() as sent_in:
            pass
        limit.record(sent_in, _verdict(200))
        seen.append(limit.limit)
    # One success at a limit of 1 raises it to 2; two at 2 raise it to 3, the maximum.
    assert seen == [2, 2, 3, 3, 3, 3, 3, 3, 3, 3] and limit.lowest == 1


def test_other_errors_leave_the_limit_alone():
    limit = AdaptiveLimit(4)
    for status in (500, 503, 404):
        limit.record(0, _verdict(status))
    limit.record(0, classify('GET', HttpFailure('reset', retryable=True), True))
    assert limit.limit == 4 and limit.throttled == 0


def test_slots_block_beyond_the_limit(overlap):
    limit = AdaptiveLimit(2)
    work = overlap()

    def request(dummy):
        with limit.slot():
            work()

    with ThreadPoolExecutor(6) as pool:
        list(pool.map(request, range(6)))
    assert work.peak == 2


def test_a_concurrent_transport_holds_its_slot_only_on_the_wire(make, answer):
    transport, session, events = make(answer(429, headers={'Retry-After': '1'}), answer(200))
    transport.limit = AdaptiveLimit(2, max_hold=0.01)
    transport.sleep = lambda seconds: events.append(('free slots while waiting', 2 - transport.limit._in_flight))
    transport.request('GET', URL, 'smapi')
    assert events == [('free slots while waiting', 2)]
    # Halved by the 429, grown back by the success that followed.
    assert (transport.limit.lowest, transport.limit.limit, transport.limit.throttled) == (1, 2, 1)


@pytest.mark.parametrize('retry_after, held', [('2', 2.0), ('3600', 5.0)])
def test_a_retry_after_holds_every_new_request_until_then_up_to_the_cap(retry_after, held):
    now = [100.0]
    limit = AdaptiveLimit(4, max_hold=5.0, clock=lambda: now[0])
    limit.record(0, _verdict(429, {'Retry-After': retry_after}))
    waited = []

    def wait(timeout=None):
        waited.append(timeout)
        now[0] += timeout

    limit._changed.wait = wait
    with limit.slot():
        pass
    assert waited == [held] and now[0] == 100.0 + held


def test_under_a_limit_throttles_are_retried_beyond_the_attempts(make, answer):
    transport, session, events = make(*([answer(429, headers={'Retry-After': '0'}) for dummy in range(6)]
                                        + [answer(200)]), attempts=3)
    transport.limit = AdaptiveLimit(2)
    assert transport.request('GET', URL, 'smapi').status_code == 200
    assert len(session.calls) == 7


def test_under_a_limit_throttles_beyond_the_allowance_end_the_request(make, answer):
    attempts = 3 + THROTTLES_ALLOWED
    transport, session, events = make(*[answer(429, headers={'Retry-After': '0'}) for dummy in range(attempts + 1)],
                                      attempts=3)
    transport.limit = AdaptiveLimit(2)
    with pytest.raises(HttpFailure) as caught:
        transport.request('GET', URL, 'smapi')
    assert len(session.calls) == attempts and caught.value.attempts == caught.value.budget == attempts


def test_a_post_throttled_under_a_limit_carries_its_earned_budget(make, answer):
    # Two throttles earn two more attempts; the 503 after them may have stored the object.
    transport, session, events = make(answer(429, headers={'Retry-After': '0'}), answer(429, headers={'Retry-After': '0'}),
                                      answer(503), attempts=3)
    transport.limit = AdaptiveLimit(2, max_hold=0.01)
    with pytest.raises(HttpFailure) as caught:
        transport.request('POST', URL, 'smapi', json={})
    assert (caught.value.attempts, caught.value.budget, caught.value.maybe_stored) == (3, 5, True)
    assert transport.backoff(caught.value) == 2.0


def test_without_a_limit_throttles_use_up_the_attempts(make, answer):
    transport, session, events = make(*[answer(429, headers={'Retry-After': '0'}) for dummy in range(6)], attempts=3)
    with pytest.raises(HttpFailure) as caught:
        transport.request('GET', URL, 'smapi')
    assert len(session.calls) == 3 and caught.value.attempts == 3


# --- the real thing: a local HTTP server, real sockets, real deadlines -----------------------------

DRIP_SECONDS = 0.3
# No handler drips longer than this, whatever the client does. Longer than a deadline (1 s) with room
# to spare, shorter than the bounds the tests assert: a deadline that does not cut still fails them.
DRIP_LIMIT = 2.5


class LocalServer:
    """A threaded http.server on 127.0.0.1 whose handler calls ``respond(handler)``; records what it got."""

    def __init__(self, respond, stop, tls=None):
        self.requests = []
        self.connections = 0
        self.stop = stop
        server = self
        counting = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'
            timeout = 5   # a keep-alive connection left open by a client ends its handler after this

            def setup(self):
                super().setup()
                with counting:
                    server.connections += 1

            def log_message(self, *args):
                pass

            def handle_one(self):
                length = int(self.headers.get('Content-Length') or 0)
                body = self.rfile.read(length) if length else b''
                server.requests.append(dict(method=self.command, path=self.path, headers=dict(self.headers), body=body))
                respond(self)

            do_GET = do_POST = handle_one

            do_CONNECT = handle_one

        self.httpd = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        if tls is not None:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.httpd.daemon_threads = False
        self.httpd.block_on_close = True   # server_close waits for every handler
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs=dict(poll_interval=0.05))
        self.thread.start()
        self.url = '%s://127.0.0.1:%d' % ('https' if tls else 'http', self.httpd.server_address[1])

    def close(self):
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(10)
        assert not self.thread.is_alive()


def drip(handler, data, stop):
    """Send ``data`` a byte at a time, one every DRIP_SECONDS, until done, the client goes or the test ends."""
    given_up = time.monotonic() + DRIP_LIMIT
    handler.close_connection = True
    for byte in data:
        if stop.is_set() or time.monotonic() > given_up:
            return
        try:
            handler.wfile.write(bytes((byte,)))
            handler.wfile.flush()
        except OSError:
            return
        stop.wait(DRIP_SECONDS)


def reply_with(handler, status, body=b'', headers=()):
    handler.send_response(status)
    for name, value in headers:
        handler.send_header(name, value)
    handler.send_header('Content-Length', str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def drip_a_body(handler, stop, status=200):
    """The status line and headers at once, announcing a body of 1000 bytes; then the body drips."""
    handler.send_response(status)
    handler.send_header('Content-Length', '1000')
    handler.end_headers()
    handler.wfile.flush()
    drip(handler, b'x' * 1000, stop)


def quick_or_dripping(body, stop):
    """A respond(handler) that answers /v0/quick at once with the JSON ``body`` and drips any other path's."""
    def respond(handler):
        if handler.path == '/v0/quick':
            reply_with(handler, 200, body, [('Content-Type', 'application/json')])
        else:
            drip_a_body(handler, stop)
    return respond


@pytest.fixture
def local(monkeypatch):
    """Starts local servers (``local.serve(respond)``) and real transports (``local.transport(...)``);
    closes the transports' sessions, then stops the servers and waits for their handlers."""
    for name in ('NO_PROXY', 'no_proxy'):
        monkeypatch.setenv(name, '127.0.0.1')
    stop = threading.Event()
    servers, transports = [], []

    class Local:
        @staticmethod
        def serve(respond, tls=None):
            server = LocalServer(respond, stop, tls)
            servers.append(server)
            return server

        @staticmethod
        def transport(**kwargs):
            transport = HttpTransport(**kwargs)
            transports.append(transport)
            return transport

    Local.stop = stop
    yield Local
    stop.set()
    for transport in transports:
        transport.session.close()
    for server in servers:
        server.close()


DEADLINE = dict(timeout=1, retry=RetryPolicy(attempts=2, max_delay=0.1))


def _timed_failure(transport, method, url, **kwargs):
    started = time.monotonic()
    with pytest.raises(HttpFailure) as caught:
        transport.request(method, url, 'smapi', **kwargs)
    return caught.value, time.monotonic() - started


@pytest.mark.parametrize('headers', [
    [('Content-Length', '100000')],
    # A body that ends with the connection: the deadline must cut it, and what came must not pass for
    # the whole answer. (Content-Length with Connection: close, or HTTP/1.0, take the same path.)
    [('Connection', 'close')],
], ids=['content-length', 'until-close'])
def test_a_body_that_drips_is_cut_off_at_the_deadline_of_each_attempt(local, headers):
    def respond(handler):
        handler.send_response(200)
        handler.send_header('Content-Type', 'application/json')
        for name, value in headers:
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.flush()
        drip(handler, b' ' * 100000, local.stop)

    server = local.serve(respond)
    failure, elapsed = _timed_failure(local.transport(**DEADLINE), 'GET', server.url + '/v0/slow')
    assert 'deadline' in failure.reason and failure.attempts == 2
    assert (failure.retryable, failure.status) == (True, None)
    assert 1.9 < elapsed < 3.5, elapsed
    assert len(server.requests) == 2


@pytest.mark.parametrize('at_once', [b'', b'HTTP/1.1 200 OK\r\n'], ids=['status-line-drips', 'headers-drip'])
def test_headers_that_drip_are_cut_off_at_the_deadline_of_each_attempt(local, at_once):
    answer = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}'

    def respond(handler):
        # Headers cut short read like headers that ended: a 200 whose body ends at once, unless the
        # transport knows the deadline cut its connection.
        handler.wfile.write(at_once)
        handler.wfile.flush()
        drip(handler, answer[len(at_once):], local.stop)

    server = local.serve(respond)
    failure, elapsed = _timed_failure(local.transport(**DEADLINE), 'GET', server.url + '/v0/slow')
    assert 'deadline' in failure.reason and failure.attempts == 2
    assert 1.9 < elapsed < 3.5, elapsed
    assert len(server.requests) == 2


def test_a_post_cut_off_at_the_deadline_is_not_sent_again(local):
    server = local.serve(lambda handler: drip_a_body(handler, local.stop, status=201))
    failure, elapsed = _timed_failure(local.transport(**DEADLINE), 'POST', server.url + '/v0/things', json={'a': 1})
    assert 'deadline' in failure.reason and (failure.attempts, failure.maybe_stored) == (1, True)
    assert 0.9 < elapsed < 1.9, elapsed
    assert len(server.requests) == 1 and server.requests[0]['body'] == b'{"a": 1}'


def test_a_quick_answer_comes_back_whole_over_a_connection_kept_alive(local):
    def respond(handler):
        reply_with(handler, 200, json.dumps({'path': handler.path}).encode(), [('Content-Type', 'application/json')])

    server = local.serve(respond)
    transport = local.transport(timeout=0.5, retry=RetryPolicy(attempts=1))
    assert transport.request('GET', server.url + '/v0/one', 'smapi', check=_json_object) == {'path': '/v0/one'}
    # Longer than the first attempt's deadline: its watchdog must not shut the pooled connection down.
    time.sleep(0.8)
    reply = transport.request('GET', server.url + '/v0/two', 'smapi', params={'x': '1'})
    assert (reply.status_code, reply.json(), reply.url) == (200, {'path': '/v0/two?x=1'}, server.url + '/v0/two?x=1')
    assert server.connections == 1 and len(server.requests) == 2
    assert server.requests[0]['headers']['User-Agent'] == 'skillops.alexa/%s python-requests/%s' % (
        _collection_version(), requests.__version__)


def test_a_connection_from_the_pool_is_cut_at_the_deadline_of_its_new_attempt(local):
    server = local.serve(quick_or_dripping(b'{}', local.stop))
    transport = local.transport(timeout=1, retry=RetryPolicy(attempts=1))
    assert transport.request('GET', server.url + '/v0/quick', 'smapi', check=_json_object) == {}
    failure, elapsed = _timed_failure(transport, 'GET', server.url + '/v0/slow')
    assert 'deadline' in failure.reason and 0.9 < elapsed < 1.9, (failure.reason, elapsed)
    assert server.connections == 1 and len(server.requests) == 2


def test_an_answer_read_whole_survives_a_deadline_that_passes_before_its_attempt_ends(local, monkeypatch):
    server = local.serve(lambda handler: reply_with(handler, 200, b'{"ok": 1}', [('Content-Type', 'application/json')]))
    read = HttpTransport._read

    def read_then_dawdle(response):
        content = read(response)
        time.sleep(0.5)   # the body is whole and its connection back in the pool; then the deadline passes
        return content

    monkeypatch.setattr(HttpTransport, '_read', staticmethod(read_then_dawdle))
    transport = local.transport(timeout=0.2, retry=RetryPolicy(attempts=1))
    assert transport.request('GET', server.url + '/v0/one', 'smapi', check=_json_object) == {'ok': 1}
    assert transport.request('GET', server.url + '/v0/two', 'smapi', check=_json_object) == {'ok': 1}
    assert server.connections == 1


@pytest.mark.parametrize('method', ['GET', 'POST'])
def test_a_real_redirect_to_another_server_is_not_followed(local, method):
    elsewhere = local.serve(lambda handler: reply_with(handler, 200, b'{}'))
    origin = local.serve(lambda handler: reply_with(handler, 307, headers=[('Location', elsewhere.url + '/steal')]))
    transport = local.transport(timeout=5, retry=RetryPolicy(attempts=3, max_delay=0.01))
    with pytest.raises(HttpFailure) as caught:
        transport.request(method, origin.url + '/auth/o2/token', 'lwa', data={'client_secret': 'hunter2'})
    assert caught.value.reason == REFUSED_REDIRECT % (307, elsewhere.url)
    assert caught.value.status == 307 and caught.value.path == '/auth/o2/token'
    assert len(origin.requests) == 1 and elsewhere.requests == [] and elsewhere.connections == 0


def test_a_real_refused_connection_is_retried_even_for_a_post(local):
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    # Nothing listens on that port any more.
    transport = local.transport(timeout=5, retry=RetryPolicy(attempts=2, max_delay=0.01))
    failure, elapsed = _timed_failure(transport, 'POST', 'http://127.0.0.1:%d/v0/things' % port, json={})
    assert (failure.attempts, failure.maybe_stored, failure.retryable) == (2, False, True)
    assert failure.reason.startswith('ConnectionError: NewConnectionError: '), failure.reason
    assert elapsed < 2


@pytest.fixture(scope='module')
def tls_files(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 and its key, as PEM files."""
    pytest.importorskip('cryptography')
    import ipaddress
    from datetime import timedelta
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, '127.0.0.1')])
    now = datetime.now(timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(hours=1))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address('127.0.0.1'))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    folder = tmp_path_factory.mktemp('tls')
    cert_file, key_file = folder / 'cert.pem', folder / 'key.pem'
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_file), str(key_file)


def test_over_tls_a_quick_answer_is_verified_and_a_dripping_body_cut_off_at_the_deadline(local, tls_files, monkeypatch):
    cert_file, key_file = tls_files
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server = local.serve(quick_or_dripping(b'{"tls": true}', local.stop), tls=context)
    assert server.url.startswith('https://')
    # A certificate that does not verify: no retry can mend it.
    for name in ('REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE'):
        monkeypatch.delenv(name, raising=False)
    slept = []
    untrusting = local.transport(timeout=1, retry=RetryPolicy(attempts=3), sleep=slept.append)
    failure, elapsed = _timed_failure(untrusting, 'GET', server.url + '/v0/quick')
    assert (failure.retryable, failure.attempts, slept) == (False, 1, [])
    assert failure.reason.startswith('SSLError: ') and 'certificate verify failed' in failure.reason, failure.reason
    # The transport verifies certificates (verify=True); requests takes its CA bundle from the environment.
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', cert_file)
    transport = local.transport(timeout=1, retry=RetryPolicy(attempts=1))
    assert transport.request('GET', server.url + '/v0/quick', 'smapi', check=_json_object) == {'tls': True}
    failure, elapsed = _timed_failure(transport, 'GET', server.url + '/v0/slow')
    assert 'deadline' in failure.reason and failure.attempts == 1
    assert 0.9 < elapsed < 1.9, elapsed
    assert len(server.requests) == 2


@pytest.mark.parametrize('scheme, respond, asked', [
    # An https:// URL: the transport asks the proxy to CONNECT, and the proxy's answer to that drips.
    ('https', lambda handler, stop: drip(handler, b'HTTP/1.1 200 Connection established\r\n\r\n', stop),
     ('CONNECT', 'api.skillops.invalid:443')),
    # An http:// URL: no CONNECT, the proxy forwards the request and answers itself.
    ('http', drip_a_body, ('GET', 'http://api.skillops.invalid/v0/slow')),
], ids=['connect', 'plain-http'])
def test_a_proxy_that_drips_its_answer_is_cut_off_at_the_deadline(local, monkeypatch, scheme, respond, asked):
    proxy = local.serve(lambda handler: respond(handler, local.stop))
    for name in ('%s_PROXY' % scheme.upper(), '%s_proxy' % scheme):
        monkeypatch.setenv(name, proxy.url)
    failure, elapsed = _timed_failure(local.transport(timeout=1, retry=RetryPolicy(attempts=1)),
                                      'GET', '%s://api.skillops.invalid/v0/slow' % scheme)
    assert 'deadline' in failure.reason, failure.reason
    assert 0.9 < elapsed < 1.9, elapsed
    assert [(sent['method'], sent['path']) for sent in proxy.requests] == [asked]


@pytest.fixture
def unanswered():
    """A port on 127.0.0.1 whose listen queue is full: a connection to it hangs in connect (Linux)."""
    listener = socket.socket()
    listener.bind(('127.0.0.1', 0))
    listener.listen(0)
    address = listener.getsockname()
    waiting = []
    try:
        for dummy in range(8):
            sock = socket.socket()
            sock.setblocking(False)
            waiting.append(sock)
            sock.connect_ex(address)
        time.sleep(0.1)
        with socket.socket() as probe:
            probe.settimeout(0.3)
            try:
                probe.connect(address)
            except socket.timeout:
                pass
            else:
                pytest.skip('this system answers a connection beyond the listen queue')
        yield address[1]
    finally:
        for sock in waiting:
            sock.close()
        listener.close()


def test_a_connect_that_hangs_ends_at_the_deadline_of_each_attempt(local, unanswered):
    slept = []
    transport = local.transport(timeout=0.5, retry=RetryPolicy(attempts=2, max_delay=0.01), sleep=slept.append)
    failure, elapsed = _timed_failure(transport, 'GET', 'http://127.0.0.1:%d/v0/things' % unanswered)
    # 'ConnectTimeout: ... no connection to 127.0.0.1 within the deadline', or, when the deadline's timer
    # wins the race, 'no complete answer within the deadline' (see the test after the next).
    assert 'within the deadline' in failure.reason, failure.reason
    assert (failure.attempts, failure.retryable, len(slept)) == (2, True, 1)
    assert 0.9 < elapsed < 1.9, elapsed


def test_a_connect_timeout_of_urllib3_is_told_as_the_deadline(local, monkeypatch):
    # urllib3 gets what is left of the deadline as its connect timeout; on a busy machine it can give
    # up before the deadline's own wait ends. Either way the task must say the same thing.
    import urllib3.util.connection
    from urllib3.exceptions import ConnectTimeoutError

    def timed_out(address, timeout=None, **kwargs):
        raise ConnectTimeoutError(None, 'Connection to %s timed out. (connect timeout=%s)' % (address[0], timeout))

    monkeypatch.setattr(urllib3.util.connection, 'create_connection', timed_out)
    failure, elapsed = _timed_failure(local.transport(timeout=0.5, retry=RetryPolicy(attempts=1)),
                                      'GET', 'http://127.0.0.1:9/v0/things')
    assert failure.reason == 'ConnectTimeout: ConnectTimeoutError: no connection to 127.0.0.1 within the deadline'
    assert failure.retryable and elapsed < 0.4, (failure.retryable, elapsed)


def test_a_name_lookup_that_hangs_ends_at_the_deadline(local, monkeypatch):
    import urllib3.util.connection
    released = threading.Event()

    def hanging_lookup(*args, **kwargs):
        # Like getaddrinfo, which takes no timeout: waits whatever the timeout says.
        released.wait(5)
        raise socket.gaierror(-3, 'Temporary failure in name resolution')

    monkeypatch.setattr(urllib3.util.connection, 'create_connection', hanging_lookup)
    try:
        failure, elapsed = _timed_failure(local.transport(timeout=0.5, retry=RetryPolicy(attempts=1)),
                                          'GET', 'http://api.skillops.invalid/v0/things')
    finally:
        released.set()
    assert 'within the deadline' in failure.reason and failure.retryable, failure.reason
    assert 0.4 < elapsed < 1.4, elapsed


def test_a_post_whose_connect_timed_out_just_after_the_deadline_passed_is_resent(answer):
    class SlowToConnect(FakeSession):
        def request(self, method, url, **kwargs):
            if not self.calls:
                time.sleep(0.3)   # the connect gives up a moment after the deadline's timer fired
            return super().request(method, url, **kwargs)

    session = SlowToConnect([NO_CONNECT, answer(201)])
    transport = HttpTransport(session=session, timeout=0.1, sleep=lambda seconds: None)
    assert transport.request('POST', URL, 'smapi', json={'name': 'x'}).status_code == 201
    assert len(session.calls) == 2
