# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""sdns_subscription's branches, each run through main() against the in-memory SMAPI of conftest.py:
what it returns, its diff, and exactly which requests it sends."""

import pytest

from ansible_collections.skillops.alexa.plugins.modules import sdns_subscription
from ansible_collections.skillops.alexa.tests.unit.plugins.modules.smapi_fake import (
    ALL, CERTIFICATION, LIST_SUBSCRIBERS, PUBLISH, REFRESH, SUBSCRIPTIONS, VENDOR, add_subscriber,
    run_on_a_foreign_subscriber, run_on_an_unknown_subscriber)

NAME = 'certification'
LIST = ('GET', SUBSCRIPTIONS, None)


@pytest.fixture
def run(task_of, subscriber_id):
    return task_of(sdns_subscription, vendor_id=VENDOR, subscriber_id=subscriber_id, name=NAME,
                   events=[CERTIFICATION, PUBLISH])


def view(subscription_id, subscriber_id, name=NAME, events=(CERTIFICATION, PUBLISH)):
    return dict(subscription_id=subscription_id, name=name, subscriber_id=subscriber_id, vendor_id=VENDOR,
                events=list(events))


def create_body(subscriber_id):
    return dict(name=NAME, events=[CERTIFICATION, PUBLISH], vendorId=VENDOR, subscriberId=subscriber_id)


def one(subscription_id):
    return '%s/%s' % (SUBSCRIPTIONS, subscription_id)


def test_creates_a_subscription_and_reports_it_as_sdns_stored_it(run, smapi, subscriber_id):
    result = run()

    [new_id] = smapi.subscriptions
    created = view(new_id, subscriber_id)
    assert result['changed'] is True
    assert result['subscription'] == created
    assert result['diff'] == dict(before={}, after=created)
    assert result['removed_duplicates'] == []
    # Look, create, look for a concurrent run's twin a second later, read back.
    assert smapi.sent() == [LIST, ('POST', SUBSCRIPTIONS, create_body(subscriber_id)), LIST, ('GET', one(new_id), None)]
    assert smapi.requests[0].query == dict(vendorId=VENDOR, subscriberId=subscriber_id, maxResults='50')
    assert smapi.pauses == [1.0]


def test_check_mode_predicts_the_create_and_sends_no_write(run, smapi, subscriber_id):
    result = run(_ansible_check_mode=True)

    predicted = dict(name=NAME, subscriber_id=subscriber_id, vendor_id=VENDOR, events=[CERTIFICATION, PUBLISH])
    assert result['changed'] is True
    assert result['subscription'] == predicted
    assert result['diff'] == dict(before={}, after=predicted)
    assert smapi.sent() == [LIST]
    assert smapi.subscriptions == {}


def test_events_in_another_case_and_order_are_no_change(run, smapi, subscriber_id):
    subscription_id = smapi.add_subscription(VENDOR, NAME, subscriber_id, [CERTIFICATION, PUBLISH])

    result = run(events=['alexadevelopmentevent.skillpublish', 'ALEXADEVELOPMENTEVENT.SKILLCERTIFICATION'])

    assert result['changed'] is False
    assert result['subscription'] == view(subscription_id, subscriber_id)
    assert result['diff']['before'] == result['diff']['after'] == result['subscription']
    assert smapi.sent() == [LIST]


def test_a_second_run_changes_nothing(run, smapi):
    run()
    del smapi.requests[:]

    result = run()

    assert result['changed'] is False
    assert smapi.sent() == [LIST]


def test_updates_the_events_of_the_subscription_of_that_name(run, smapi, subscriber_id):
    subscription_id = smapi.add_subscription(VENDOR, NAME, subscriber_id, [CERTIFICATION])
    smapi.add_subscription(VENDOR, 'another-name', subscriber_id, [CERTIFICATION])

    result = run(events=[ALL])

    # An update sends neither vendorId nor subscriberId: SDNS changes neither.
    assert smapi.sent() == [LIST, ('PUT', one(subscription_id), dict(name=NAME, events=[ALL])),
                            ('GET', one(subscription_id), None)]
    assert result['changed'] is True
    assert result['diff'] == dict(before=view(subscription_id, subscriber_id, events=[CERTIFICATION]),
                                  after=view(subscription_id, subscriber_id, events=[ALL]))
    assert result['subscription'] == result['diff']['after']


def test_renames_the_subscription_found_by_its_id(run, smapi, subscriber_id):
    subscription_id = smapi.add_subscription(VENDOR, 'old-name', subscriber_id, [CERTIFICATION, PUBLISH])

    result = run(subscription_id=subscription_id, subscriber_id=None, name='new-name')

    assert smapi.sent() == [('GET', one(subscription_id), None),
                            ('PUT', one(subscription_id), dict(name='new-name', events=[CERTIFICATION, PUBLISH])),
                            ('GET', one(subscription_id), None)]
    assert result['changed'] is True
    assert (result['diff']['before']['name'], result['diff']['after']['name']) == ('old-name', 'new-name')
    assert result['subscription'] == view(subscription_id, subscriber_id, name='new-name')


def test_check_mode_predicts_the_update_and_sends_no_write(run, smapi, subscriber_id):
    subscription_id = smapi.add_subscription(VENDOR, NAME, subscriber_id, [CERTIFICATION])

    result = run(events=[ALL], _ansible_check_mode=True)

    assert smapi.sent() == [LIST]
    assert result['changed'] is True
    assert result['diff'] == dict(before=view(subscription_id, subscriber_id, events=[CERTIFICATION]),
                                  after=view(subscription_id, subscriber_id, events=[ALL]))
    assert smapi.subscriptions[subscription_id]['events'] == [CERTIFICATION]


def test_an_unknown_subscription_id_fails_and_creates_nothing(run, smapi):
    result = run(subscription_id='amzn1.ask-subscription.gone')

    assert result['failed'] is True
    assert result['msg'] == ('subscription_id amzn1.ask-subscription.gone: no such subscription; check the ID, or omit '
                             'it to create a subscription called name')
    assert smapi.sent() == [('GET', one('amzn1.ask-subscription.gone'), None)]


def test_an_unknown_subscriber_id_fails_naming_it(run, smapi):
    run_on_an_unknown_subscriber(run, smapi)


def test_a_create_answered_404_names_the_subscriber_id(run, smapi, subscriber_id):
    # A subscriber the token may list subscriptions of, but not subscribe to.
    smapi.refuse('POST', SUBSCRIPTIONS, 404, 'No subscriber found.')

    result = run()

    assert result['failed'] is True
    assert result['msg'] == ('subscriber_id %s: no such subscriber is visible to this token; check the ID the subscriber '
                             'owner gave you' % subscriber_id)
    assert smapi.sent() == [LIST, ('POST', SUBSCRIPTIONS, create_body(subscriber_id))]
    assert smapi.subscriptions == {}


def test_the_subscriber_of_a_subscription_cannot_be_changed(run, smapi, subscriber_id):
    subscription_id = smapi.add_subscription(VENDOR, NAME, subscriber_id, [CERTIFICATION, PUBLISH])
    other_subscriber = add_subscriber(smapi)

    result = run(subscription_id=subscription_id, subscriber_id=other_subscriber)

    assert result['failed'] is True
    assert result['msg'] == ('subscriber_id cannot be changed on subscription %s (it is %s); delete it and create a new '
                             'one' % (subscription_id, subscriber_id))
    assert smapi.sent() == [('GET', one(subscription_id), None)]


@pytest.mark.parametrize('check_mode', [False, True], ids=['create', 'create in check mode'])
def test_a_subscriber_of_another_security_profile_is_refused_before_any_write(run, smapi, check_mode):
    run_on_a_foreign_subscriber(run, smapi, _ansible_check_mode=check_mode)

    assert smapi.sent() == [LIST, LIST_SUBSCRIBERS]
    assert smapi.subscriptions == {}


def test_with_the_subscribers_own_profile_the_create_goes_ahead(run, smapi, subscriber_id):
    result = run(lwa_client_id=smapi.client_id, **REFRESH)

    assert result['changed'] is True
    [new_id] = smapi.subscriptions
    assert smapi.sent() == [LIST, LIST_SUBSCRIBERS, ('POST', SUBSCRIPTIONS, create_body(subscriber_id)), LIST,
                            ('GET', one(new_id), None)]


@pytest.mark.parametrize('by_id', [False, True], ids=['by name', 'by id'])
def test_absent_deletes_the_subscription(run, smapi, subscriber_id, by_id):
    subscription_id = smapi.add_subscription(VENDOR, NAME, subscriber_id, [CERTIFICATION, PUBLISH])
    task = dict(subscription_id=subscription_id, subscriber_id=None, name=None) if by_id else {}

    result = run(state='absent', events=None, **task)

    look = ('GET', one(subscription_id), None) if by_id else LIST
    assert smapi.sent() == [look, ('DELETE', one(subscription_id), None)]
    assert result['changed'] is True
    assert result['diff'] == dict(before=view(subscription_id, subscriber_id), after={})
    assert result['subscription'] == {}
    assert smapi.subscriptions == {}


def test_check_mode_predicts_the_delete_and_sends_no_write(run, smapi, subscriber_id):
    subscription_id = smapi.add_subscription(VENDOR, NAME, subscriber_id, [CERTIFICATION, PUBLISH])

    result = run(state='absent', _ansible_check_mode=True)

    assert smapi.sent() == [LIST]
    assert result['changed'] is True
    assert result['diff'] == dict(before=view(subscription_id, subscriber_id), after={})
    assert subscription_id in smapi.subscriptions


@pytest.mark.parametrize('task, look', [
    (dict(), LIST),
    (dict(subscription_id='amzn1.ask-subscription.gone', subscriber_id=None, name=None),
     ('GET', one('amzn1.ask-subscription.gone'), None)),
], ids=['by name', 'by id'])
def test_absent_when_already_absent_is_no_change(run, smapi, subscriber_id, task, look):
    smapi.add_subscription(VENDOR, 'another-name', subscriber_id, [CERTIFICATION])

    result = run(state='absent', **task)

    assert smapi.sent() == [look]
    assert result['changed'] is False
    assert result['diff'] == dict(before={}, after={})
    assert len(smapi.subscriptions) == 1
