# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import pytest

from ansible_collections.skillops.alexa.plugins.module_utils._errors import ApiError, NotFound
from ansible_collections.skillops.alexa.plugins.module_utils._http import Recovered
from ansible_collections.skillops.alexa.plugins.module_utils._lwa import AccessToken
from ansible_collections.skillops.alexa.plugins.module_utils._smapi import SETTLE_SECONDS, Created, SmapiClient

BASE = 'http://127.0.0.1:8700'
SUBSCRIBERS = '/v0/developmentEvents/subscribers'


class FakeLwa:
    def __init__(self):
        self.refreshed = []

    def refresh(self, refresh_token):
        self.refreshed.append(refresh_token)
        return {'access_token': 'fresh-%d' % len(self.refreshed)}


def _unauthorized():
    return ApiError('The access token is expired.', status=401, method='GET', path=SUBSCRIBERS)


def _bearers(transport):
    return [call['headers']['Authorization'] for call in transport.calls]


def test_paginate_follows_next_token_and_sends_max_results(transport_of, response):
    transport = transport_of(
        response(200, {'subscribers': [{'subscriberId': 'a'}, {'subscriberId': 'b'}], 'nextToken': 't1'}),
        response(200, {'subscribers': [{'subscriberId': 'c'}], 'nextToken': 't2', '_links': {}}),
        response(200, {'subscribers': [{'subscriberId': 'd'}], 'nextToken': None}),
    )
    smapi = SmapiClient(transport, AccessToken(access_token='tok'), BASE + '/')
    items = list(smapi.paginate(SUBSCRIBERS, 'subscribers', params={'vendorId': 'V1'}))
    assert [item['subscriberId'] for item in items] == ['a', 'b', 'c', 'd']
    assert [call['params'] for call in transport.calls] == [
        {'vendorId': 'V1', 'maxResults': 50},
        {'vendorId': 'V1', 'maxResults': 50, 'nextToken': 't1'},
        {'vendorId': 'V1', 'maxResults': 50, 'nextToken': 't2'},
    ]
    assert {(call['method'], call['url']) for call in transport.calls} == {('GET', BASE + SUBSCRIBERS)}
    assert transport.calls[0]['headers'] == {'Authorization': 'Bearer tok', 'Accept': 'application/json'}
    assert {call['service'] for call in transport.calls} == {'smapi'}


def test_paginate_stops_on_a_page_without_items_or_token(transport_of, response):
    transport = transport_of(response(200, {}))
    smapi = SmapiClient(transport, AccessToken(access_token='tok'))
    assert list(smapi.paginate(SUBSCRIBERS, 'subscribers')) == []
    assert len(transport.calls) == 1
    assert transport.calls[0]['url'] == 'https://api.amazonalexa.com' + SUBSCRIBERS


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


def test_create_without_location_is_an_error(transport_of, response):
    transport = transport_of(response(201))
    smapi = SmapiClient(transport, AccessToken(access_token='tok'), BASE)
    with pytest.raises(ApiError) as caught:
        smapi.create(SUBSCRIBERS, {'name': 'ops'}, lambda: [])
    assert (caught.value.status, caught.value.method, caught.value.path) == (201, 'POST', SUBSCRIBERS)
    assert str(caught.value) == ('POST %s failed (HTTP 201): the response has no Location header naming the new '
                                 'object under %s' % (SUBSCRIBERS, SUBSCRIBERS))


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


def test_paginate_stops_on_a_repeated_next_token(transport_of, response):
    page = {'subscribers': [{'subscriberId': 'a'}], 'nextToken': 'same'}
    transport = transport_of(response(200, page), response(200, page), response(200, page))
    smapi = SmapiClient(transport, AccessToken(access_token='tok'), BASE)
    with pytest.raises(ApiError) as caught:
        list(smapi.paginate(SUBSCRIBERS, 'subscribers'))
    assert 'same nextToken twice' in str(caught.value)
    assert len(transport.calls) == 2


def test_create_recovered_returns_the_found_id(transport_of):
    transport = transport_of(Recovered('amzn1.ask-subscriber.found'))
    smapi = SmapiClient(transport, AccessToken(access_token='tok'), BASE)
    assert smapi.create(SUBSCRIBERS, {'name': 'ops'}, lambda: ['unused']) == Created('amzn1.ask-subscriber.found')
    assert len(transport.calls) == 1


@pytest.mark.parametrize('twins, found', [(['s3', 's1', 's2'], 's1'), ([], None)])
def test_create_recovery_answers_with_the_lowest_twin(transport_of, response, twins, found):
    transport = transport_of(response(201, headers={'Location': SUBSCRIBERS + '/s9'}))
    answers = [['s9'], twins]  # the settle after the create, then the recovery
    smapi = SmapiClient(transport, AccessToken(access_token='tok'), BASE)
    smapi.create(SUBSCRIBERS, {'name': 'ops'}, lambda: answers.pop(0))
    assert transport.calls[0]['recover']() == found


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
    transport = transport_of(_unauthorized(), response(200, {'vendors': []}))
    smapi = SmapiClient(transport, AccessToken(lwa=lwa, access_token='stale', refresh_token='r1'), BASE)
    assert smapi.get('/v1/vendors') == {'vendors': []}
    assert lwa.refreshed == ['r1']
    assert _bearers(transport) == ['Bearer stale', 'Bearer fresh-1']


def test_second_401_is_raised(transport_of):
    lwa = FakeLwa()
    transport = transport_of(_unauthorized(), _unauthorized(), _unauthorized())
    smapi = SmapiClient(transport, AccessToken(lwa=lwa, access_token='stale', refresh_token='r1'), BASE)
    with pytest.raises(ApiError) as caught:
        smapi.get(SUBSCRIBERS)
    assert caught.value.status == 401 and caught.value.after_refresh
    assert str(caught.value).endswith('(also with a freshly refreshed access token)')
    assert lwa.refreshed == ['r1']
    assert _bearers(transport) == ['Bearer stale', 'Bearer fresh-1']


@pytest.mark.parametrize('token', [AccessToken(access_token='given'),
                                   AccessToken(lwa=FakeLwa(), access_token='given', refresh_token=None)])
def test_401_without_refresh_credentials_is_raised_at_once(transport_of, token):
    transport = transport_of(_unauthorized(), _unauthorized())
    smapi = SmapiClient(transport, token, BASE)
    with pytest.raises(ApiError):
        smapi.delete_if_exists(SUBSCRIBERS + '/x')
    assert len(transport.calls) == 1


def test_other_errors_do_not_refresh(transport_of):
    lwa = FakeLwa()
    transport = transport_of(ApiError('User has not consented to this operation.', status=403))
    smapi = SmapiClient(transport, AccessToken(lwa=lwa, access_token='tok', refresh_token='r1'), BASE)
    with pytest.raises(ApiError):
        smapi.put(SUBSCRIBERS + '/x', {'name': 'n'})
    assert lwa.refreshed == [] and len(transport.calls) == 1


def test_401_for_a_missing_scope_is_not_refreshed(transport_of):
    lwa = FakeLwa()
    missing_scope = ApiError('User has not consented to this operation.', status=401, method='POST', path=SUBSCRIBERS,
                             missing_scope=True)
    transport = transport_of(missing_scope)
    smapi = SmapiClient(transport, AccessToken(lwa=lwa, access_token='tok', refresh_token='r1'), BASE)
    with pytest.raises(ApiError) as caught:
        smapi.put(SUBSCRIBERS + '/x', {'name': 'n'})
    assert caught.value is missing_scope and not caught.value.after_refresh
    assert lwa.refreshed == [] and len(transport.calls) == 1


def _not_found():
    return NotFound('Subscriber not found.', status=404, method='GET', path=SUBSCRIBERS + '/x')


def test_get_or_none(transport_of, response):
    transport = transport_of(response(200, {'subscriberId': 'x'}), _not_found())
    smapi = SmapiClient(transport, AccessToken(access_token='tok'), BASE)
    assert smapi.get_or_none(SUBSCRIBERS + '/x') == {'subscriberId': 'x'}
    assert smapi.get_or_none(SUBSCRIBERS + '/x') is None


def test_get_or_none_raises_other_errors(transport_of):
    transport = transport_of(ApiError('Denied.', status=403, method='GET', path=SUBSCRIBERS + '/x'))
    with pytest.raises(ApiError):
        SmapiClient(transport, AccessToken(access_token='tok'), BASE).get_or_none(SUBSCRIBERS + '/x')


def test_delete_if_exists_says_whether_it_deleted(transport_of, response):
    transport = transport_of(response(204), _not_found())
    smapi = SmapiClient(transport, AccessToken(access_token='tok'), BASE)
    assert smapi.delete_if_exists(SUBSCRIBERS + '/x') is True
    assert smapi.delete_if_exists(SUBSCRIBERS + '/x') is False
    assert [call['method'] for call in transport.calls] == ['DELETE', 'DELETE']


def _lost_then_created(response, own_id, looks):
    """A create whose first attempt's response was lost: the transport looks (recover) and, finding
    nothing, sends it again, which answers with ``own_id``."""
    def answer(recover):
        looks.append(recover())
        return response(201, headers={'Location': '%s/%s' % (SUBSCRIBERS, own_id)})
    return answer


@pytest.mark.parametrize('late, survivor, deleted', [
    ('s1', 's1', ['s2']),  # the lost attempt landed with the lower ID: keep it, delete the resent copy
    ('s3', 's2', ['s3']),  # it landed with the higher ID: delete it, though this run never saw its ID
])
def test_create_sent_again_after_a_lost_response_removes_the_late_first_attempt(
        transport_of, response, late, survivor, deleted):
    looks = []
    transport = transport_of(_lost_then_created(response, 's2', looks), *[response(204) for dummy in deleted])
    smapi = SmapiClient(transport, AccessToken(access_token='tok'), BASE)
    answers = [[], ['s2', late]]  # the look before sending again, then the settle, after the late store
    created = smapi.create(SUBSCRIBERS, {'name': 'ops'}, lambda: answers.pop(0))
    assert looks == [None]
    assert created == Created(survivor, tuple(deleted))
    assert [(call['method'], call['url']) for call in transport.calls[1:]] == [
        ('DELETE', '%s%s/%s' % (BASE, SUBSCRIBERS, copy_id)) for copy_id in deleted]


def test_create_not_settled_says_it_was_sent_again(transport_of, response):
    transport = transport_of(_lost_then_created(response, 's2', []))
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
    looks = []

    def answer(recover):  # two lost responses: the first look finds nothing, the second a copy
        looks.extend([recover(), recover()])
        return Recovered(looks[-1])

    transport = transport_of(answer, response(204))
    smapi = SmapiClient(transport, AccessToken(access_token='tok'), BASE)
    answers = [[], ['s2'], ['s1', 's2']]  # the two looks, then the settle after the other attempt was stored
    assert smapi.create(SUBSCRIBERS, {'name': 'ops'}, lambda: answers.pop(0)) == Created('s1', ('s2',))
    assert looks == [None, 's2']
    assert [(call['method'], call['url']) for call in transport.calls[1:]] == [('DELETE', BASE + SUBSCRIBERS + '/s2')]
