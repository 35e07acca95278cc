# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""sdns_subscription_info's branches, each run through main() against the in-memory SMAPI of conftest.py:
the vendor's subscriptions on every page, those to one subscriber, one read by its ID (without vendor_id),
the name filter alone and with the others, what matches nothing, its events as the model spells them,
check mode, nothing ever written or reported changed, bad input and unknown subscribers refused naming
the option, and no secret in a result."""

import pytest

from ansible_collections.skillops.alexa.plugins.modules import sdns_subscription_info
from ansible_collections.skillops.alexa.tests.unit.plugins.modules.smapi_fake import (
    ALL, CERTIFICATION, PUBLISH, REFRESH, ROLE, SUBSCRIPTIONS, TOPIC, VENDOR, FakeSmapi, add_subscriber,
    run_on_an_unknown_subscriber, run_refused_echoing_the_secrets, secrets_in)

DEV1 = 'M2DEVVENDOR1'
LIST = ('GET', SUBSCRIPTIONS, None)


def one(subscription_id):
    return ('GET', '%s/%s' % (SUBSCRIPTIONS, subscription_id), None)


@pytest.fixture
def run(task_of):
    return task_of(sdns_subscription_info, vendor_id=VENDOR)


@pytest.fixture
def seen(smapi):
    """As the integration target makes them: two subscribers of VENDOR, A and B; subscriptions from VENDOR
    and from a developer to A, from VENDOR to B, and one called shared from each to another of them.
    The subscriptions' views by a key of their own, beside the subscribers' IDs under 'A' and 'B'."""
    subscribers = dict(A=add_subscriber(smapi), B=smapi.add_subscriber(VENDOR, 'listed-b', TOPIC, ROLE))
    views = dict(subscribers)
    for key, name, vendor_id, to in (('org-to-a', 'org-to-a', VENDOR, 'A'), ('dev1-to-a', 'dev1-to-a', DEV1, 'A'),
                                     ('org-to-b', 'org-to-b', VENDOR, 'B'), ('shared-org', 'shared', VENDOR, 'A'),
                                     ('shared-dev1', 'shared', DEV1, 'B')):
        subscription_id = smapi.add_subscription(vendor_id, name, subscribers[to], [ALL])
        views[key] = dict(subscription_id=subscription_id, name=name, subscriber_id=subscribers[to],
                          vendor_id=vendor_id, events=[ALL])
    return views


def test_lists_every_subscription_the_vendor_sees_on_every_page_and_changes_nothing(run, smapi, seen):
    smapi.page_size = 2

    result = run()

    assert result['changed'] is False
    assert result['subscriptions'] == [seen[key] for key in ('org-to-a', 'dev1-to-a', 'org-to-b', 'shared-org',
                                                             'shared-dev1')]
    assert smapi.sent() == [LIST, LIST, LIST]
    assert [request.query for request in smapi.requests] == [
        dict(vendorId=VENDOR, maxResults='50'),
        dict(vendorId=VENDOR, maxResults='50', nextToken='offset-2'),
        dict(vendorId=VENDOR, maxResults='50', nextToken='offset-4')]


def test_lists_those_to_one_subscriber_by_asking_smapi_for_them(run, smapi, seen):
    result = run(subscriber_id=seen['A'])

    assert result['subscriptions'] == [seen['org-to-a'], seen['dev1-to-a'], seen['shared-org']]
    assert smapi.sent() == [LIST]
    assert smapi.requests[0].query == dict(vendorId=VENDOR, subscriberId=seen['A'], maxResults='50')


def test_reads_one_by_its_id_without_vendor_id(run, smapi, seen):
    result = run(vendor_id=None, subscription_id=seen['dev1-to-a']['subscription_id'])

    assert not result.get('failed'), result.get('msg')
    assert result['changed'] is False
    assert result['subscriptions'] == [seen['dev1-to-a']]
    assert smapi.sent() == [one(seen['dev1-to-a']['subscription_id'])]


@pytest.mark.parametrize('task, keys', [
    (lambda seen: dict(name='org-to-b'), ['org-to-b']),
    # A name is unique per publishing vendor and subscriber only.
    (lambda seen: dict(name='shared'), ['shared-org', 'shared-dev1']),
    (lambda seen: dict(name='shared', subscriber_id=seen['B']), ['shared-dev1']),
    (lambda seen: dict(name='org-to-b', subscriber_id=seen['A']), []),
    (lambda seen: dict(name='no-such-name'), []),
], ids=['name', 'a shared name', 'a shared name to one subscriber', 'a name to another subscriber', 'unknown name'])
def test_the_name_filter_alone_and_with_a_subscriber_returns_exactly_what_it_names(run, smapi, seen, task, keys):
    result = run(**task(seen))

    assert result['changed'] is False
    assert result['subscriptions'] == [seen[key] for key in keys]
    assert smapi.sent() == [LIST]


@pytest.mark.parametrize('task', [
    lambda seen: dict(name='org-to-b'),
    lambda seen: dict(subscriber_id=seen['B']),
], ids=['and another name', 'and another subscriber'])
def test_an_id_with_a_filter_it_does_not_pass_returns_nothing(run, smapi, seen, task):
    subscription_id = seen['shared-org']['subscription_id']

    result = run(subscription_id=subscription_id, **task(seen))

    assert result['subscriptions'] == []
    assert smapi.sent() == [one(subscription_id)]


def test_an_unknown_id_is_an_empty_list_not_a_failure(run, smapi, seen):
    result = run(subscription_id='amzn1.ask-subscription.unknown')

    assert not result.get('failed'), result.get('msg')
    assert result['changed'] is False
    assert result['subscriptions'] == []
    assert smapi.sent() == [one('amzn1.ask-subscription.unknown')]


def test_an_unknown_subscriber_fails_naming_its_id(run, smapi, seen):
    run_on_an_unknown_subscriber(run, smapi)


def test_events_are_returned_as_the_model_spells_and_orders_them(run, smapi, seen):
    # SMAPI may answer in another case and order, with duplicates, or with an event newer than the model.
    stored = smapi.add_subscription(VENDOR, 'mixed-case', seen['A'], [
        'AlexaDevelopmentEvent.NewerEvent', 'alexadevelopmentevent.skillpublish', CERTIFICATION, PUBLISH])

    result = run(subscription_id=stored)

    assert result['subscriptions'][0]['events'] == [CERTIFICATION, PUBLISH, 'AlexaDevelopmentEvent.NewerEvent']


@pytest.mark.parametrize('task', [
    lambda seen: dict(),
    lambda seen: dict(subscription_id=seen['shared-org']['subscription_id']),
], ids=['listed', 'by id'])
def test_check_mode_reads_as_a_run_does_and_writes_nothing(run, smapi, seen, task):
    task = task(seen)
    expected = run(**task)['subscriptions']
    del smapi.requests[:]

    result = run(_ansible_check_mode=True, **task)

    assert not result.get('skipped'), result.get('msg')
    assert result['changed'] is False
    assert result['subscriptions'] == expected != []
    assert smapi.writes() == []


def test_without_vendor_id_a_listing_is_refused_before_any_request(run, smapi, seen):
    result = run(vendor_id=None, subscriber_id=seen['A'])

    assert result['failed'] is True
    assert result['msg'].startswith('vendor_id is required: set vendor_id or the environment variable ASK_VENDOR_ID ')
    assert smapi.sent() == []


def test_a_refused_listing_fails_with_smapis_message_and_no_secret_it_echoed(run, smapi):
    run_refused_echoing_the_secrets(run, smapi, SUBSCRIPTIONS)


def test_a_result_shows_no_secret_given_to_the_task(run, seen):
    result = run(lwa_client_id=FakeSmapi.client_id, **REFRESH)

    assert len(result['subscriptions']) == 5
    assert secrets_in(result) == []
