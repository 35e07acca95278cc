# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from urllib.parse import quote

import pytest

from ansible_collections.skillops.alexa.plugins.module_utils._errors import ApiError, NotFound
from ansible_collections.skillops.alexa.plugins.module_utils._http import HttpFailure
from ansible_collections.skillops.alexa.plugins.module_utils._lwa import AccessToken
from ansible_collections.skillops.alexa.plugins.module_utils._secrets import MASK, Secrets
from ansible_collections.skillops.alexa.plugins.module_utils._smapi import (
    MAX_PAGES, SETTLE_SECONDS, Created, SmapiClient, smapi_error)

BASE = 'http://127.0.0.1:8700'
SUBSCRIBERS = '/v0/developmentEvents/subscribers'
ITEM = {'subscriberId': str, 'name': str, 'endpoint?': {'uri?': str}}


def _item(subscriber_id):
    return {'subscriberId': subscriber_id, 'name': 'n'}


class FakeLwa:
    def __init__(self):
        self.refreshed = []

    def refresh(self, refresh_token):
        self.refreshed.append(refresh_token)
        return {'access_token': 'fresh-%d' % len(self.refreshed)}


def _unauthorized(response):
    return response(401, {'message': 'The access token is expired.'})


def _lost():
    """A create's attempt that reached SMAPI and got no answer: it may have been stored."""
    return HttpFailure('ConnectionError: connection reset', retryable=True, maybe_stored=True)


def _bearers(transport):
    return [call['headers']['Authorization'] for call in transport.calls]


def test_paginate_follows_next_token_and_sends_max_results(transport_of, response):
    transport = transport_of(
        response(200, {'subscribers': [_item('a'), _item('b')], 'nextToken': 't1'}),
        response(200, {'subscribers': [_item('c')], 'nextToken': 't2', '_links': {}}),
        response(200, {'subscribers': [_item('d')], 'nextToken': None}),
    )
    smapi = SmapiClient(transport, AccessToken(access_token='tok'), BASE + '/')
    items = list(smapi.paginate(SUBSCRIBERS, 'subscribers', ITEM, params={'vendorId': 'V1'}))
    assert [item['subscriberId'] for item in items] == ['a', 'b', 'c', 'd']
    assert [call['params'] for call in transport.calls] == [
        {'vendorId': 'V1', 'maxResults': 50},
        {'vendorId': 'V1', 'maxResults': 50, 'nextToken': 't1'},
        {'vendorId': 'V1', 'maxResults': 50, 'nextToken': 't2'},
    ]
    assert {(call['method'], call['url']) for call in transport.calls} == {('GET', BASE + SUBSCRIBERS)}
    assert transport.calls[0]['headers'] == {'Authorization': 'Bearer tok', 'Accept': 'application/json'}
    assert {call['service'] for call in transport.calls} == {'smapi'}


def test_paginate_stops_on_an_empty_page_without_token(transport_of, response):
    transport = transport_of(response(200, {'subscribers': []}))
    smapi = SmapiClient(transport, AccessToken(access_token='tok'))
    assert list(smapi.paginate(SUBSCRIBERS, 'subscribers', ITEM)) == []
    assert len(transport.calls) == 1
    assert transport.calls[0]['url'] == 'https://api.amazonalexa.com' + SUBSCRIBERS


@pytest.mark.parametrize('page, problem', [
    ({}, 'the answer has no subscribers'),
    ({'subscribers': {'subscriberId': 'a'}}, 'subscribers is not a list'),
    ({'subscribers': ['a']}, 'subscribers[0] is not an object'),
    ({'subscribers': [{'subscriberId': 7, 'name': 'n'}]}, 'subscribers[0].subscriberId is not a non-empty string'),
    ({'subscribers': [{'subscriberId': '', 'name': 'n'}]}, 'subscribers[0].subscriberId is not a non-empty string'),
    ({'subscribers': [_item('a'), {'subscriberId': 'b'}]}, 'subscribers[1] has no name'),
    ({'subscribers': [dict(_item('a'), endpoint='arn:aws:sns:x')]}, 'subscribers[0].endpoint is not an object'),
    ({'subscribers': [dict(_item('a'), endpoint={'uri': ['x']})]},
     'subscribers[0].endpoint.uri is not a non-empty string'),
    ({'subscribers': [], 'nextToken': 5}, 'nextToken is not a non-empty string'),
    ([_item('a')], None),
])
def test_a_page_of_the_wrong_shape_is_refused_at_once(transport_of, response, page, problem):
    # A server that lies about a list must not be taken for one with no subscribers (a create would follow).
    transport = transport_of(response(200, page))
    smapi = SmapiClient(transport, AccessToken(access_token='tok'), BASE)
    with pytest.raises(ApiError) as caught:
        list(smapi.paginate(SUBSCRIBERS, 'subscribers', ITEM))
    expected = 'a JSON object' if problem is None else (
        'a JSON object whose subscribers lists objects with subscriberId, name (%s)' % problem)
    assert str(caught.value).startswith('GET %s failed (HTTP 200): SMAPI answered 200 with application/json where %s '
                                        'was expected: ' % (SUBSCRIBERS, expected)), str(caught.value)
    assert not caught.value.retryable and len(transport.calls) == 1


@pytest.mark.parametrize('content, content_type', [(b'<html><body>Bad gateway</body></html>', 'text/html'),
                                                   (b'{"subscribers": [{"subscriberId": "a"', 'application/json'),
                                                   (b'', 'application/json')])
def test_a_body_that_is_not_json_is_a_retryable_error_naming_what_came(transport_of, response, content, content_type):
    transport = transport_of(response(200, content=content, headers={'Content-Type': content_type + '; charset=utf-8'}))
    smapi = SmapiClient(transport, AccessToken(access_token='tok'), BASE)
    with pytest.raises(ApiError) as caught:
        smapi.get(SUBSCRIBERS)
    text = str(caught.value)
    assert text.startswith('GET %s failed (HTTP 200): SMAPI answered 200 with %s where a JSON object was expected: '
                           % (SUBSCRIBERS, content_type))
    assert (content.decode()[:20] if content else 'an empty body') in text
    assert caught.value.retryable and caught.value.status == 200 and caught.value.service == 'smapi'


def test_get_checks_the_shape_it_is_given(transport_of, response):
    transport = transport_of(response(200, {'vendors': 'none'}), response(200, {'vendors': []}))
    smapi = SmapiClient(transport, AccessToken(access_token='tok'), BASE)
    shape = {'vendors': [{'id': str}]}
    with pytest.raises(ApiError) as caught:
        smapi.get('/v1/vendors', shape=shape)
    assert 'where a JSON object with vendors (vendors is not a list) was expected' in str(caught.value)
    assert smapi.get('/v1/vendors', shape=shape) == {'vendors': []}


@pytest.mark.parametrize('pages, problem', [
    ([{'subscribers': [_item('a')], 'nextToken': 'same'}] * 2, 'the same nextToken twice (page 2)'),
    ([{'subscribers': [], 'nextToken': 't1'}], 'an empty page with a nextToken (page 1)'),
])
def test_paginate_ends_a_listing_the_server_would_not_end(transport_of, response, pages, problem):
    transport = transport_of(*[response(200, page) for page in pages])
    smapi = SmapiClient(transport, AccessToken(access_token='tok'), BASE)
    with pytest.raises(ApiError) as caught:
        list(smapi.paginate(SUBSCRIBERS, 'subscribers', ITEM))
    assert str(caught.value) == ('GET %s failed (HTTP 200): SMAPI answered %s; the listing stops so as not to loop '
                                 'without end' % (SUBSCRIBERS, problem))
    assert len(transport.calls) == len(pages)


def test_paginate_follows_at_most_max_pages(transport_of, response):
    transport = transport_of(*[response(200, {'subscribers': [_item('s%d' % n)], 'nextToken': 't%d' % n})
                               for n in range(MAX_PAGES + 5)])
    smapi = SmapiClient(transport, AccessToken(access_token='tok'), BASE)
    with pytest.raises(ApiError) as caught:
        list(smapi.paginate(SUBSCRIBERS, 'subscribers', ITEM))
    assert 'more than %d pages' % MAX_PAGES in str(caught.value)
    assert len(transport.calls) == MAX_PAGES


@pytest.mark.parametrize('location', [
    SUBSCRIBERS + '/amzn1.ask-subscriber.abc',
    SUBSCRIBERS + '/amzn1.ask-subscriber.abc/',
    'https://api.amazonalexa.com' + SUBSCRIBERS + '/amzn1.ask-subscriber.abc',
])
def test_create_returns_the_last_segment_of_location(transport_of, response, location):
    transport = transport_of(response(201, headers={'Location': location}))
    body = {'name': 'ops', 'vendorId': 'V1'}
    smapi = SmapiClient(transport, AccessToken(access_token='tok'), BASE)
    assert smapi.create(SUBSCRIBERS, body, lambda: ['amzn1.ask-subscriber.abc']) == Created('amzn1.ask-subscriber.abc')
    call = transport.calls[0]
    assert (call['method'], call['url'], call['json']) == ('POST', BASE + SUBSCRIBERS, body)


def test_create_without_location_is_an_error_after_a_look_finds_nothing(transport_of, response):
    transport = transport_of(response(201))
    smapi = SmapiClient(transport, AccessToken(access_token='tok'), BASE)
    looks = []
    with pytest.raises(ApiError) as caught:
        smapi.create(SUBSCRIBERS, {'name': 'ops'}, lambda: looks.append(1) or [])
    assert (caught.value.status, caught.value.method, caught.value.path) == (201, 'POST', SUBSCRIBERS)
    assert str(caught.value) == ('POST %s failed (HTTP 201): SMAPI answered 201 with no content type where a Location '
                                 'header naming the new object under %s was expected: an empty body'
                                 % (SUBSCRIBERS, SUBSCRIBERS))
    # It was stored, but under an ID nobody said: looked for once, never sent again.
    assert looks == [1] and len(transport.calls) == 1


def test_create_without_location_takes_the_object_a_look_finds(transport_of, response):
    transport = transport_of(response(201))
    smapi = SmapiClient(transport, AccessToken(access_token='tok'), BASE)
    assert smapi.create(SUBSCRIBERS, {'name': 'ops'}, lambda: ['s7']) == Created('s7')


@pytest.mark.parametrize('location', ['https://api.amazonalexa.com%s/amzn1.ask-subscriber.9?x=1' % SUBSCRIBERS,
                                      '%s/amzn1.ask-subscriber.9/' % SUBSCRIBERS])
def test_create_reads_the_id_from_an_absolute_or_slashed_location(transport_of, response, location):
    transport = transport_of(response(201, headers={'Location': location}))
    smapi = SmapiClient(transport, AccessToken(access_token='tok'), BASE)
    assert smapi.create(SUBSCRIBERS, {'name': 'ops'}, lambda: []) == Created('amzn1.ask-subscriber.9')


def test_create_refuses_a_location_outside_the_collection(transport_of, response):
    transport = transport_of(response(201, headers={'Location': '/v0/somewhere-else/1'}))
    smapi = SmapiClient(transport, AccessToken(access_token='tok'), BASE)
    with pytest.raises(ApiError):
        smapi.create(SUBSCRIBERS, {'name': 'ops'}, lambda: [])


def test_create_whose_answer_was_lost_returns_the_lowest_twin_a_look_finds(transport_of):
    transport = transport_of(_lost())
    smapi = SmapiClient(transport, AccessToken(access_token='tok'), BASE)
    assert smapi.create(SUBSCRIBERS, {'name': 'ops'}, lambda: ['s3', 's1', 's2']) == Created('s1')
    # Found at the first look: sent once, so nothing to settle; the wait came before the look.
    assert len(transport.calls) == 1 and transport.pauses == [0.5]


def test_create_whose_answers_stay_lost_gives_up_after_the_attempts_looking_each_time(transport_of):
    transport = transport_of(_lost(), _lost(), _lost())
    smapi = SmapiClient(transport, AccessToken(access_token='tok'), BASE)
    looks = []
    with pytest.raises(ApiError) as caught:
        smapi.create(SUBSCRIBERS, {'name': 'ops'}, lambda: looks.append(1) or [])
    assert caught.value.maybe_stored and caught.value.attempts == 3
    assert looks == [1, 1, 1] and [call['first_attempt'] for call in transport.calls] == [1, 2, 3]


def _created(transport_of, response, own_id, *deletes):
    return transport_of(response(201, headers={'Location': '%s/%s' % (SUBSCRIBERS, own_id)}),
                        *[response(204) for dummy in deletes])


@pytest.mark.parametrize('seen, survivor, deleted', [
    (['s2'], 's2', []),                  # alone
    (['s2', 's3'], 's2', []),            # the lowest: the other racer deletes its own
    (['s1', 's2', 's3'], 's1', ['s2']),  # a lower twin: delete our own, keep it
])
def test_create_settles_a_race_on_the_lowest_id_deleting_only_its_own(
        transport_of, response, seen, survivor, deleted):
    transport = _created(transport_of, response, 's2', *deleted)
    smapi = SmapiClient(transport, AccessToken(access_token='tok'), BASE)
    assert smapi.create(SUBSCRIBERS, {'name': 'ops'}, lambda: seen) == Created(survivor, tuple(deleted))
    assert [(call['method'], call['url']) for call in transport.calls[1:]] == [
        ('DELETE', '%s%s/%s' % (BASE, SUBSCRIBERS, own)) for own in deleted]
    # One look, after the creates that were on their way have landed.
    assert transport.pauses == [SETTLE_SECONDS]


def test_settle_many_looks_once_for_all_and_deletes_only_the_losers(transport_of, response):
    transport = transport_of(response(204))
    smapi = SmapiClient(transport, AccessToken(access_token='tok'), BASE)
    looks = []

    def all_twins():
        looks.append(1)
        return {'a': ['a1'], 'b': ['b0', 'b1'], 'c': ['c1', 'c2']}

    settled = smapi.settle_many(SUBSCRIBERS, {'a': 'a1', 'b': 'b1', 'c': 'c1'}, all_twins)
    assert settled == {'a': Created('a1'), 'b': Created('b0', ('b1',)), 'c': Created('c1')}
    assert looks == [1] and transport.pauses == [SETTLE_SECONDS]
    assert [(call['method'], call['url']) for call in transport.calls] == [('DELETE', BASE + SUBSCRIBERS + '/b1')]


def test_401_refreshes_once_and_retries_with_the_new_bearer(transport_of, response):
    lwa = FakeLwa()
    transport = transport_of(_unauthorized(response), response(200, {'vendors': []}))
    smapi = SmapiClient(transport, AccessToken(lwa=lwa, access_token='stale', refresh_token='r1'), BASE)
    assert smapi.get('/v1/vendors') == {'vendors': []}
    assert lwa.refreshed == ['r1']
    assert _bearers(transport) == ['Bearer stale', 'Bearer fresh-1']


def test_second_401_is_raised(transport_of, response):
    lwa = FakeLwa()
    transport = transport_of(_unauthorized(response), _unauthorized(response), _unauthorized(response))
    smapi = SmapiClient(transport, AccessToken(lwa=lwa, access_token='stale', refresh_token='r1'), BASE)
    with pytest.raises(ApiError) as caught:
        smapi.get(SUBSCRIBERS)
    assert caught.value.status == 401 and caught.value.after_refresh
    assert str(caught.value).endswith('(also with a freshly refreshed access token)')
    assert lwa.refreshed == ['r1']
    assert _bearers(transport) == ['Bearer stale', 'Bearer fresh-1']


@pytest.mark.parametrize('token', [AccessToken(access_token='given'),
                                   AccessToken(lwa=FakeLwa(), access_token='given', refresh_token=None)])
def test_401_without_refresh_credentials_is_raised_at_once(transport_of, response, token):
    transport = transport_of(_unauthorized(response), _unauthorized(response))
    smapi = SmapiClient(transport, token, BASE)
    with pytest.raises(ApiError):
        smapi.delete_if_exists(SUBSCRIBERS + '/x')
    assert len(transport.calls) == 1


def test_other_errors_do_not_refresh(transport_of, response):
    lwa = FakeLwa()
    transport = transport_of(response(403, {'message': 'Denied.'}))
    smapi = SmapiClient(transport, AccessToken(lwa=lwa, access_token='tok', refresh_token='r1'), BASE)
    with pytest.raises(ApiError):
        smapi.put(SUBSCRIBERS + '/x', {'name': 'n'})
    assert lwa.refreshed == [] and len(transport.calls) == 1


def test_401_for_a_missing_scope_is_not_refreshed(transport_of, response):
    lwa = FakeLwa()
    transport = transport_of(response(401, {'message': 'User has not consented to this operation.'}))
    smapi = SmapiClient(transport, AccessToken(lwa=lwa, access_token='tok', refresh_token='r1'), BASE)
    with pytest.raises(ApiError) as caught:
        smapi.put(SUBSCRIBERS + '/x', {'name': 'n'})
    assert caught.value.missing_scope and not caught.value.after_refresh
    assert lwa.refreshed == [] and len(transport.calls) == 1


def _not_found(response):
    return response(404, {'message': 'Subscriber not found.'})


def test_get_or_none(transport_of, response):
    transport = transport_of(response(200, {'subscriberId': 'x'}), _not_found(response))
    smapi = SmapiClient(transport, AccessToken(access_token='tok'), BASE)
    assert smapi.get_or_none(SUBSCRIBERS + '/x') == {'subscriberId': 'x'}
    assert smapi.get_or_none(SUBSCRIBERS + '/x') is None


def test_get_or_none_raises_other_errors(transport_of, response):
    transport = transport_of(response(403, {'message': 'Denied.'}))
    with pytest.raises(ApiError):
        SmapiClient(transport, AccessToken(access_token='tok'), BASE).get_or_none(SUBSCRIBERS + '/x')


def test_delete_if_exists_says_whether_it_deleted(transport_of, response):
    transport = transport_of(response(204), _not_found(response))
    smapi = SmapiClient(transport, AccessToken(access_token='tok'), BASE)
    assert smapi.delete_if_exists(SUBSCRIBERS + '/x') is True
    assert smapi.delete_if_exists(SUBSCRIBERS + '/x') is False
    assert [call['method'] for call in transport.calls] == ['DELETE', 'DELETE']


def _lost_then_created(response, own_id):
    """A create whose first attempt's response was lost and whose second answers with ``own_id``."""
    return [_lost(), response(201, headers={'Location': '%s/%s' % (SUBSCRIBERS, own_id)})]


@pytest.mark.parametrize('late, survivor, deleted', [
    ('s1', 's1', ['s2']),  # the lost attempt landed with the lower ID: keep it, delete the resent copy
    ('s3', 's2', ['s3']),  # it landed with the higher ID: delete it, though this run never saw its ID
])
def test_create_sent_again_after_a_lost_response_removes_the_late_first_attempt(
        transport_of, response, late, survivor, deleted):
    transport = transport_of(*_lost_then_created(response, 's2'), *[response(204) for dummy in deleted])
    smapi = SmapiClient(transport, AccessToken(access_token='tok'), BASE)
    answers = [[], ['s2', late]]  # the look before sending again, then the settle, after the late store
    created = smapi.create(SUBSCRIBERS, {'name': 'ops'}, lambda: answers.pop(0))
    assert answers == []
    assert created == Created(survivor, tuple(deleted))
    assert [call['first_attempt'] for call in transport.calls[:2]] == [1, 2]
    assert [(call['method'], call['url']) for call in transport.calls[2:]] == [
        ('DELETE', '%s%s/%s' % (BASE, SUBSCRIBERS, copy_id)) for copy_id in deleted]


def test_create_not_settled_says_it_was_sent_again(transport_of, response):
    transport = transport_of(*_lost_then_created(response, 's2'))
    smapi = SmapiClient(transport, AccessToken(access_token='tok'), BASE)
    assert smapi.create(SUBSCRIBERS, {'name': 'ops'}, lambda: [], settle=False) == Created('s2', (), True)


def test_settle_many_removes_every_other_twin_only_where_a_create_was_sent_again(transport_of, response):
    transport = transport_of(response(204), response(204), response(204))
    smapi = SmapiClient(transport, AccessToken(access_token='tok'), BASE)
    twins = {'a': ['a1', 'a2', 'a3'], 'b': ['b1', 'b2', 'b3']}
    settled = smapi.settle_many(SUBSCRIBERS, {'a': 'a2', 'b': 'b2'}, lambda: twins, resent={'a'})
    # a: a3 may be this run's lost attempt; b: b3 is a racer's, which that racer removes itself.
    assert settled == {'a': Created('a1', ('a2', 'a3')), 'b': Created('b1', ('b2',))}
    assert [call['url'] for call in transport.calls] == [
        '%s%s/%s' % (BASE, SUBSCRIBERS, copy_id) for copy_id in ('a2', 'a3', 'b2')]


def test_create_recovered_after_it_was_sent_again_is_settled_as_resent(transport_of, response):
    # Two lost responses: the first look finds nothing, the second a copy.
    transport = transport_of(_lost(), _lost(), response(204))
    smapi = SmapiClient(transport, AccessToken(access_token='tok'), BASE)
    answers = [[], ['s2'], ['s1', 's2']]  # the two looks, then the settle after the other attempt was stored
    assert smapi.create(SUBSCRIBERS, {'name': 'ops'}, lambda: answers.pop(0)) == Created('s1', ('s2',))
    assert answers == []
    assert [(call['method'], call['url']) for call in transport.calls[2:]] == [('DELETE', BASE + SUBSCRIBERS + '/s2')]


# --- SMAPI's error shape, and secrets in what a server echoes -------------------------------------

@pytest.mark.parametrize('status, body, message, code, cls', [
    (400, {'code': 'INVALID_INPUT', 'message': 'Bad.', 'violations': [{'message': 'name too long'}]}, 'Bad.',
     'INVALID_INPUT', ApiError),
    (404, {'message': 'Subscriber not found.'}, 'Subscriber not found.', None, NotFound),
    (403, {'message': 42, 'code': ['x']}, "Forbidden; the body (application/json) is no SMAPI error: "
     '\'{"message": 42, "code": ["x"]}\'', None, ApiError),
    (502, None, 'Bad Gateway; the body (no content type) is no SMAPI error: an empty body', None, ApiError),
])
def test_smapi_error_reads_smapis_shape_and_names_anything_else(response, status, body, message, code, cls):
    reply = response(status, body, reason={403: 'Forbidden', 502: 'Bad Gateway'}.get(status, ''))
    error = smapi_error(HttpFailure(reply=reply, method='GET', path=SUBSCRIBERS, retryable=status == 502))
    assert type(error) is cls  # pylint: disable=unidiomatic-typecheck
    assert (error.message, error.code, error.status, error.retryable) == (message, code, status, status == 502)


def test_a_server_that_echoes_the_bearer_gets_no_secret_into_the_error(transport_of, response):
    token = 'Atza|IwEB/secret+token=='
    echoed = {'message': 'Bad token Bearer %s (%s)' % (token, quote(token, safe='')),
              'violations': [{'message': 'got %s' % token}]}
    transport = transport_of(response(400, echoed))
    smapi = SmapiClient(transport, AccessToken(access_token=token, secrets=Secrets()), BASE)
    smapi.secrets = smapi.token.secrets
    with pytest.raises(ApiError) as caught:
        smapi.get(SUBSCRIBERS)
    text = str(caught.value) + repr(caught.value.as_dict())
    assert 'secret+token' not in text and 'IwEB' not in text
    assert text.count(MASK) >= 3


def test_a_create_loop_keeps_the_throttle_budget_of_its_lost_attempt(transport_of, response):
    # Attempts granted for throttling under an AdaptiveLimit carry over to the attempt after a look.
    lost = _lost()
    lost.attempts, lost.budget = 7, 9
    transport = transport_of(lost, response(201, headers={'Location': SUBSCRIBERS + '/s2'}), attempts=5)
    smapi = SmapiClient(transport, AccessToken(access_token='tok'), BASE)
    smapi.create(SUBSCRIBERS, {'name': 'ops'}, lambda: [], settle=False)
    assert [(call['first_attempt'], call['budget']) for call in transport.calls] == [(1, None), (8, 9)]


def test_a_location_that_does_not_parse_is_refused(transport_of, response):
    transport = transport_of(response(201, headers={'Location': 'http://[evil/x'}))
    smapi = SmapiClient(transport, AccessToken(access_token='tok'), BASE)
    with pytest.raises(ApiError) as caught:
        smapi.create(SUBSCRIBERS, {'name': 'ops'}, lambda: [])
    assert 'where a Location header naming the new object' in str(caught.value)


def test_a_secret_echoed_in_the_code_or_a_nested_violation_is_masked(transport_of, response):
    token = 'Atza|IwEB/secret+token=='
    transport = transport_of(response(400, {'code': 'Bearer %s' % token, 'message': 'x',
                                            'violations': [{'message': 5, 'detail': {'echo': [token]}}]}))
    smapi = SmapiClient(transport, AccessToken(access_token=token, secrets=Secrets()), BASE)
    smapi.secrets = smapi.token.secrets
    with pytest.raises(ApiError) as caught:
        smapi.get(SUBSCRIBERS)
    # A violation whose message is no string is still said, not a crash.
    assert str(caught.value) == 'GET %s failed (HTTP 400, Bearer %s): x [5]' % (SUBSCRIBERS, MASK)
    assert 'IwEB' not in repr(caught.value.as_dict())


def test_json_nested_past_pythons_limit_is_no_json(transport_of, response):
    transport = transport_of(response(200, content=b'[' * 200000, headers={'Content-Type': 'application/json'}))
    smapi = SmapiClient(transport, AccessToken(access_token='tok'), BASE)
    with pytest.raises(ApiError) as caught:
        smapi.get(SUBSCRIBERS)
    assert caught.value.retryable and 'where a JSON object was expected' in str(caught.value)
