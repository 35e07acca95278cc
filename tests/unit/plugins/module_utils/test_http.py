# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import json
import os
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import pytest
import requests
import yaml
from requests.exceptions import ConnectionError as RequestsConnectionError, ConnectTimeout, ReadTimeout
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError, ReadTimeoutError

from ansible_collections.skillops.alexa.plugins.module_utils._errors import ApiError, NotFound
from ansible_collections.skillops.alexa.plugins.module_utils._http import (
    COLLECTION_VERSION, DONE, FAIL, RETRY, UNKNOWN, USER_AGENT, AdaptiveLimit, HttpTransport, Recovered, RetryPolicy,
    classify, parse_retry_after)

URL = 'https://api.amazonalexa.com/v0/developmentEvents/subscribers'
PATH = '/v0/developmentEvents/subscribers'


class FakeSession:
    """requests.Session as the transport uses it: pops scripted responses or exceptions, records calls."""

    def __init__(self, script):
        self.headers = {}
        self.script = list(script)
        self.calls = []

    def request(self, method, url, **kwargs):
        self.calls.append(dict(kwargs, method=method, url=url))
        answer = self.script.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


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


# --- HttpTransport: retries --------------------------------------------------------------------

@pytest.mark.parametrize('status', [429, 500, 502, 503, 504])
def test_retryable_status_is_retried_with_backoff_then_succeeds(make, response, status):
    ok = response(200, {'ok': True})
    transport, session, events = make(response(status), response(status), response(status), ok)
    assert transport.request('GET', URL, 'smapi', params={'vendorId': 'V'}) is ok
    assert len(session.calls) == 4
    assert _sleeps(events) == [0.5, 1.0, 2.0]


def test_every_attempt_sends_the_same_request(make, response):
    transport, session, dummy = make(response(503), response(200))
    transport.request('GET', URL, 'smapi', headers={'Accept': 'application/json'}, params={'vendorId': 'V'})
    expected = dict(method='GET', url=URL, headers={'Accept': 'application/json'}, params={'vendorId': 'V'},
                    json=None, data=None, timeout=12, verify=True)
    assert session.calls == [expected, expected]


def test_sleeps_exactly_what_retry_after_says(make, response):
    transport, dummy, events = make(response(429, headers={'Retry-After': '3'}),
                                    response(503, headers={'Retry-After': '0'}), response(200))
    transport.request('GET', URL, 'smapi')
    assert _sleeps(events) == [3.0, 0.0]


def test_retry_after_above_the_cap_gives_up_at_once(make, response):
    transport, session, events = make(response(429, {'message': 'slow down'}, headers={'Retry-After': '120'}),
                                      max_delay=10)
    with pytest.raises(ApiError) as caught:
        transport.request('GET', URL, 'smapi')
    assert len(session.calls) == 1 and events == []
    assert caught.value.status == 429
    assert str(caught.value) == ('GET %s failed (HTTP 429): slow down (the server asked to retry after 120.0s, '
                                 'more than retry_max_delay=10.0s)' % PATH)


def test_gives_up_after_the_configured_attempts(make, response):
    transport, session, events = make(response(500), response(502), response(504, {'message': 'upstream timed out'}),
                                      attempts=3)
    with pytest.raises(ApiError) as caught:
        transport.request('GET', URL + '?vendorId=V', 'smapi')
    assert len(session.calls) == 3
    assert _sleeps(events) == [0.5, 1.0]
    assert (caught.value.status, caught.value.attempts) == (504, 3)
    assert str(caught.value) == 'GET %s failed (HTTP 504): upstream timed out (after 3 attempts)' % PATH


# --- HttpTransport: answers that are not retried ----------------------------------------------

@pytest.mark.parametrize('status, body, reason, code, message, violations, text', [
    (400, {'message': 'Invalid request.', 'violations': [{'code': 'INVALID_NAME', 'message': 'name is too long'}]}, 'Bad Request',
     None, 'Invalid request.', [{'code': 'INVALID_NAME', 'message': 'name is too long'}],
     'POST %s failed (HTTP 400): Invalid request. [name is too long]' % PATH),
    (403, {'message': 'Denied.', 'violations': [{'code': 'NO_ACCESS'}]}, 'Forbidden',
     None, 'Denied.', [{'code': 'NO_ACCESS'}], 'POST %s failed (HTTP 403): Denied. [NO_ACCESS]' % PATH),
    (404, {'code': 'NOT_FOUND', 'message': 'No such subscriber.'}, 'Not Found',
     'NOT_FOUND', 'No such subscriber.', [], 'POST %s failed (HTTP 404, NOT_FOUND): No such subscriber.' % PATH),
    (401, None, 'Unauthorized', None, 'Unauthorized', [], 'POST %s failed (HTTP 401): Unauthorized' % PATH),
    (409, ['not', 'an', 'object'], '', None, 'no message', [], 'POST %s failed (HTTP 409): no message' % PATH),
])
def test_other_client_errors_raise_at_once_with_the_body_parsed(make, response, status, body, reason, code, message,
                                                                violations, text):
    transport, session, events = make(response(status, body, reason=reason))
    recover = []
    with pytest.raises(ApiError) as caught:
        transport.request('POST', URL, 'smapi', json={'name': 'x'}, recover=recover.append)
    error = caught.value
    assert (error.status, error.code, error.message, error.violations) == (status, code, message, violations)
    assert (error.method, error.path, error.attempts) == ('POST', PATH, 1)
    assert (error.service, error.retryable, error.oauth_error) == ('smapi', False, None)
    assert isinstance(error, NotFound) == (status == 404)
    assert str(error) == text
    assert len(session.calls) == 1 and events == [] and recover == []


def test_an_lwa_error_carries_the_oauth_error_code(make, response):
    body = {'error': 'invalid_grant', 'error_description': 'The request has an invalid grant parameter : refresh_token'}
    transport, dummy, dummy2 = make(response(400, body, reason='Bad Request'))
    with pytest.raises(ApiError) as caught:
        transport.request('POST', 'https://api.amazon.com/auth/o2/token', 'lwa', data={'grant_type': 'refresh_token'})
    error = caught.value
    assert (error.service, error.status, error.oauth_error, error.code) == ('lwa', 400, 'invalid_grant', None)
    assert error.message == 'The request has an invalid grant parameter : refresh_token'
    assert str(error) == ('POST /auth/o2/token failed (HTTP 400, invalid_grant): The request has an invalid grant '
                          'parameter : refresh_token')


@pytest.mark.parametrize('status, service, message, missing', [
    (403, 'smapi', 'User has not consented to this operation.', True),
    (401, 'smapi', 'User has not consented to this operation.', True),   # create subscriber declares no 403
    (403, 'smapi', 'User M1 is not authorized to access vendor M9.', False),
    (400, 'smapi', 'User has not consented to this operation.', False),
    (403, 'lwa', 'User has not consented to this operation.', False),
])
def test_smapis_missing_consent_becomes_the_fact_missing_scope(make, response, status, service, message, missing):
    transport, dummy, dummy2 = make(response(status, {'message': message}))
    with pytest.raises(ApiError) as caught:
        transport.request('GET', URL, service)
    assert caught.value.missing_scope is missing


def test_error_as_dict_holds_no_request_content(make, response):
    transport, dummy, dummy2 = make(response(400, {'code': 'BAD', 'message': 'no'}))
    with pytest.raises(ApiError) as caught:
        transport.request('POST', URL, 'smapi', json={'secret': 'hunter2'})
    assert caught.value.as_dict() == dict(service='smapi', status=400, code='BAD', oauth_error=None, message='no',
                                          violations=[], method='POST', path=PATH, attempts=1, retryable=False,
                                          missing_scope=False, after_refresh=False)


# --- HttpTransport: POST whose outcome is unknown -------------------------------------------

# Built as requests builds them from urllib3's errors.
READ_TIMEOUT = ReadTimeout(ReadTimeoutError(None, '/v0', 'Read timed out. (read timeout=30)'))
RESET = RequestsConnectionError(ProtocolError('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer')))
REFUSED = RequestsConnectionError(MaxRetryError(None, '/v0', NewConnectionError(
    None, 'Failed to establish a new connection: [Errno 111] Connection refused')))


@pytest.mark.parametrize('failure, status, text', [
    ('503', 503, 'POST %s failed (HTTP 503): Service Unavailable' % PATH),
    (READ_TIMEOUT, None, 'POST %s failed (no response): ReadTimeout: ' % PATH),
    (RESET, None, 'POST %s failed (no response): ConnectionError: ' % PATH),
])
def test_post_with_unknown_outcome_is_not_resent_without_recover(make, response, failure, status, text):
    if failure == '503':
        failure = response(503, reason='Service Unavailable')
    transport, session, events = make(failure, response(201))
    with pytest.raises(ApiError) as caught:
        transport.request('POST', URL, 'smapi', json={'name': 'x'})
    assert len(session.calls) == 1 and events == []
    assert caught.value.status == status
    assert str(caught.value).startswith(text)


@pytest.mark.parametrize('failure, reason', [(READ_TIMEOUT, 'Read timed out. (read timeout=30)'),
                                             (RESET, 'Connection reset by peer')])
def test_connection_failure_message_keeps_the_whole_reason(make, failure, reason):
    transport, dummy, dummy2 = make(failure)
    with pytest.raises(ApiError) as caught:
        transport.request('POST', URL, 'smapi', json={'name': 'x'})
    text = str(caught.value)
    assert reason in text and text.count('(') == text.count(')'), text


@pytest.mark.parametrize('failure', ['503', READ_TIMEOUT, RESET])
def test_post_with_recover_returns_what_it_finds_instead_of_resending(make, response, failure):
    failure = response(503) if failure == '503' else failure
    transport, session, events = make(failure, response(201))
    result = transport.request('POST', URL, 'smapi', json={'name': 'x'},
                               recover=lambda: events.append(('recover', None)) or 'amzn1.ask-subscriber.1')
    assert result == Recovered('amzn1.ask-subscriber.1')
    assert isinstance(result, Recovered)
    assert len(session.calls) == 1
    assert events == [('sleep', 0.5), ('recover', None)]


def test_post_with_recover_resends_when_nothing_is_found(make, response):
    created = response(201, headers={'Location': PATH + '/id'})
    transport, session, events = make(response(503), READ_TIMEOUT, created)
    result = transport.request('POST', URL, 'smapi', json={'name': 'x'}, recover=lambda: events.append(('recover', None)))
    assert result is created
    assert len(session.calls) == 3
    assert events == [('sleep', 0.5), ('recover', None), ('sleep', 1.0), ('recover', None)]


def test_post_throttled_is_resent_without_asking_recover(make, response):
    created = response(201)
    transport, session, events = make(response(429), response(429, headers={'Retry-After': '2'}), created)
    result = transport.request('POST', URL, 'smapi', json={'name': 'x'}, recover=lambda: pytest.fail('429 stored nothing'))
    assert result is created
    assert len(session.calls) == 3
    assert _sleeps(events) == [0.5, 2.0]


@pytest.mark.parametrize('failure', [ConnectTimeout('Connection to api.amazonalexa.com timed out.'), REFUSED])
def test_post_that_never_connected_is_resent_without_recover(make, response, failure):
    created = response(201)
    transport, session, events = make(failure, created)
    assert transport.request('POST', URL, 'smapi', json={'name': 'x'}) is created
    assert len(session.calls) == 2
    assert _sleeps(events) == [0.5]


def test_connection_failures_exhaust_attempts(make):
    transport, session, events = make(*[ConnectTimeout('timed out')] * 2, attempts=2)
    with pytest.raises(ApiError) as caught:
        transport.request('GET', URL, 'smapi')
    assert len(session.calls) == 2 and _sleeps(events) == [0.5]
    assert str(caught.value) == 'GET %s failed (no response): ConnectTimeout: timed out (after 2 attempts)' % PATH


# --- identity -----------------------------------------------------------------------------------

def test_user_agent_names_the_collection_and_its_version(make):
    transport, session, dummy = make()
    assert USER_AGENT == 'skillops.alexa/%s' % COLLECTION_VERSION
    assert session.headers['User-Agent'] == 'skillops.alexa/%s python-requests/%s' % (
        COLLECTION_VERSION, requests.__version__)
    assert transport.session is session


def test_collection_version_matches_the_collection_metadata():
    # galaxy.yml in a checkout; MANIFEST.json in a copy installed from the tarball, which has no galaxy.yml.
    here = os.path.dirname(os.path.abspath(__file__))
    while True:
        if os.path.isfile(os.path.join(here, 'galaxy.yml')):
            with open(os.path.join(here, 'galaxy.yml')) as galaxy:
                version = yaml.safe_load(galaxy)['version']
            break
        if os.path.isfile(os.path.join(here, 'MANIFEST.json')):
            with open(os.path.join(here, 'MANIFEST.json')) as manifest:
                version = json.load(manifest)['collection_info']['version']
            break
        parent = os.path.dirname(here)
        assert parent != here, 'neither galaxy.yml nor MANIFEST.json above the test file'
        here = parent
    assert COLLECTION_VERSION == version


@pytest.mark.parametrize('failure', [requests.exceptions.MissingSchema('no scheme'),
                                     requests.exceptions.InvalidURL('bad url'),
                                     requests.exceptions.SSLError('certificate verify failed')])
def test_failures_no_retry_can_mend_fail_at_once(make, failure):
    transport, session, events = make(failure)
    with pytest.raises(ApiError) as caught:
        transport.request('GET', URL, 'smapi')
    assert len(session.calls) == 1 and events == []
    assert type(failure).__name__ in str(caught.value)


def test_a_post_that_runs_out_of_attempts_looks_once_more_before_failing(make, response):
    transport, session, events = make(response(503), response(503), attempts=2)
    lookups = []

    def recover():
        lookups.append(len(session.calls))
        # Nothing after the first attempt; the second (last) one stored the object.
        return 'amzn1.ask-subscriber.late' if len(lookups) == 2 else None

    assert transport.request('POST', URL, 'smapi', json={'name': 'x'}, recover=recover) == Recovered('amzn1.ask-subscriber.late')
    assert lookups == [1, 2]


# --- classify: the verdict on one attempt, a pure function -------------------------------------

@pytest.mark.parametrize('method, status, action', [
    ('GET', 200, DONE), ('POST', 201, DONE), ('DELETE', 204, DONE),
    ('GET', 400, FAIL), ('POST', 403, FAIL), ('DELETE', 404, FAIL),
    ('GET', 429, RETRY), ('POST', 429, RETRY),       # a throttled request was refused before any work
    ('GET', 503, RETRY), ('PUT', 500, RETRY),         # repeating a read or an update is harmless
    ('POST', 500, UNKNOWN), ('POST', 503, UNKNOWN),   # a create may have been stored before the 5xx
])
def test_classify_a_response(response, method, status, action):
    outcome = classify(method, PATH, 'smapi', response(status, headers={'Retry-After': '2'}), 1)
    assert outcome.action == action
    assert (outcome.error is None) == (action == DONE)
    assert outcome.retry_after == (2.0 if action in (RETRY, UNKNOWN) else None)
    if outcome.error:
        assert (outcome.error.status, outcome.error.retryable) == (status, action != FAIL)


@pytest.mark.parametrize('failure, get_action, post_action', [
    (ConnectTimeout('timed out'), RETRY, RETRY),      # never connected: never sent
    (REFUSED, RETRY, RETRY),
    (RequestsConnectionError(MaxRetryError(None, '/v0', NewConnectionError(None, 'Name or service not known'))),
     RETRY, RETRY),
    (READ_TIMEOUT, RETRY, UNKNOWN),                   # sent: a POST may have been stored
    (RESET, RETRY, UNKNOWN),
    (requests.exceptions.SSLError('certificate verify failed'), FAIL, FAIL),
    (requests.exceptions.MissingSchema('no scheme'), FAIL, FAIL),
])
def test_classify_a_failure_by_its_type_and_causes(failure, get_action, post_action):
    for method, action in (('GET', get_action), ('POST', post_action)):
        outcome = classify(method, PATH, 'lwa', failure, 3)
        assert outcome.action == action
        error = outcome.error
        assert (error.status, error.service, error.attempts, error.retryable) == (None, 'lwa', 3, action != FAIL)


# --- AdaptiveLimit: requests in flight for a module that sends many at once -----------------------

def _verdict(response, status):
    return classify('GET', PATH, 'smapi', response(status), 1)


def test_a_raise_does_not_hide_a_throttle_of_a_request_sent_before_it(response):
    limit = AdaptiveLimit(2)
    limit.record(0, _verdict(response, 429))        # 2 -> 1, round 1
    with limit.slot() as early:
        pass
    limit.record(early, _verdict(response, 200))    # 1 -> 2
    limit.record(early, _verdict(response, 429))    # sent in round 1, the last decrease's: counts
    assert limit.limit == 1


def test_a_throttle_halves_the_limit_once_per_round(response):
    limit = AdaptiveLimit(8)
    rounds = []
    for dummy in range(4):
        with limit.slot() as sent_in:
            rounds.append(sent_in)
    # Four requests sent in the same round are all throttled: the limit halves once, not four times.
    for sent_in in rounds:
        limit.record(sent_in, _verdict(response, 429))
    assert (limit.limit, limit.throttled, limit.lowest) == (4, 4, 4)
    with limit.slot() as sent_in:
        pass
    limit.record(sent_in, _verdict(response, 429))
    assert limit.limit == 2


def test_successes_grow_the_limit_back_one_at_a_time_up_to_the_maximum(response):
    limit = AdaptiveLimit(3)
    limit.record(0, _verdict(response, 429))
    assert limit.limit == 1
    for dummy in range(10):
        with limit.slot() as sent_in:
            pass
        limit.record(sent_in, _verdict(response, 200))
    assert limit.limit == 3 and limit.lowest == 1


def test_other_errors_leave_the_limit_alone(response):
    limit = AdaptiveLimit(4)
    for status in (500, 503, 404):
        limit.record(0, _verdict(response, status))
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


def test_a_concurrent_transport_holds_its_slot_only_on_the_wire(make, response):
    transport, session, events = make(response(429, headers={'Retry-After': '1'}), response(200))
    transport.limit = AdaptiveLimit(2)
    transport.sleep = lambda seconds: events.append(('free slots while waiting', 2 - transport.limit._in_flight))
    transport.request('GET', URL, 'smapi')
    assert events == [('free slots while waiting', 2)]
    # Halved by the 429, grown back by the success that followed.
    assert (transport.limit.lowest, transport.limit.limit, transport.limit.throttled) == (1, 2, 1)


@pytest.mark.parametrize('retry_after, held', [('2', 2.0), ('3600', 5.0)])
def test_a_retry_after_holds_every_new_request_until_then_up_to_the_cap(response, retry_after, held):
    now = [100.0]
    limit = AdaptiveLimit(4, max_hold=5.0, clock=lambda: now[0])
    throttled = classify('GET', PATH, 'smapi', response(429, headers={'Retry-After': retry_after}), 1)
    limit.record(0, throttled)
    waited = []

    def wait(timeout=None):
        waited.append(timeout)
        now[0] += timeout

    limit._changed.wait = wait
    with limit.slot():
        pass
    assert waited == [held] and now[0] == 100.0 + held


def test_under_a_limit_throttles_are_retried_beyond_the_attempts(make, response):
    transport, session, events = make(*([response(429, headers={'Retry-After': '0'})] * 6 + [response(200)]), attempts=3)
    transport.limit = AdaptiveLimit(2)
    assert transport.request('GET', URL, 'smapi').status_code == 200
    assert len(session.calls) == 7


def test_without_a_limit_throttles_use_up_the_attempts(make, response):
    transport, session, events = make(*([response(429, headers={'Retry-After': '0'})] * 6), attempts=3)
    with pytest.raises(ApiError) as caught:
        transport.request('GET', URL, 'smapi')
    assert len(session.calls) == 3 and caught.value.attempts == 3
