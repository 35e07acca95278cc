# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""sdns_subscriptions' branches, each run through main() against the in-memory SMAPI of conftest.py:
what it returns, its diff, and exactly which requests it sends. Writes go out concurrently (the default
max_concurrency), so their order is not asserted, only which ones were sent."""

import json

import pytest

from ansible_collections.skillops.alexa.plugins.modules import sdns_subscriptions
from ansible_collections.skillops.alexa.tests.unit.plugins.modules.smapi_fake import (
    ALL, CERTIFICATION, LIST_SUBSCRIBERS, SUBSCRIPTIONS, VENDOR as ORG, run_on_a_foreign_subscriber, warning_texts)

DEV1 = 'M2DEVVENDOR1'
DEV2 = 'M2DEVVENDOR2'
NAME = 'org-notifications'
LIST = ('GET', SUBSCRIPTIONS, None)
NONE_DONE = dict(created=0, updated=0, unchanged=0, deleted=0, failed=0)


@pytest.fixture
def run(task_of, subscriber_id):
    return task_of(sdns_subscriptions, vendor_id=ORG, subscriber_id=subscriber_id, name=NAME, events=[ALL],
                   subscriptions=[dict(vendor_id=DEV1), dict(vendor_id=DEV2)])


def view(subscription_id, subscriber_id, vendor_id, name=NAME, events=(ALL,)):
    return dict(subscription_id=subscription_id, name=name, subscriber_id=subscriber_id, vendor_id=vendor_id,
                events=list(events))


def outcome(vendor_id, subscription_id, action, name=NAME, msg=''):
    return dict(vendor_id=vendor_id, name=name, subscription_id=subscription_id, action=action, msg=msg)


def summary(**counts):
    return dict(NONE_DONE, **counts)


def id_of(smapi, vendor_id, name=NAME):
    [subscription_id] = [found['subscriptionId'] for found in smapi.subscriptions.values()
                         if (found['vendorId'], found['name']) == (vendor_id, name)]
    return subscription_id


def one(subscription_id):
    return '%s/%s' % (SUBSCRIPTIONS, subscription_id)


def in_any_order(requests):
    return sorted(requests, key=lambda request: json.dumps(request, sort_keys=True))


def test_creates_the_missing_subscriptions(run, smapi, subscriber_id):
    result = run()

    created = [view(id_of(smapi, DEV1), subscriber_id, DEV1), view(id_of(smapi, DEV2), subscriber_id, DEV2)]
    assert result['changed'] is True
    assert result['results'] == [outcome(DEV1, id_of(smapi, DEV1), 'created'), outcome(DEV2, id_of(smapi, DEV2), 'created')]
    assert result['summary'] == summary(created=2)
    assert result['subscriptions'] == created
    assert result['diff'] == dict(before=dict(subscriptions=[]), after=dict(subscriptions=created))
    assert result['removed_duplicates'] == []
    # One list for all (the task's vendor owns the subscriber), the creates, one look for twins a second later.
    sent = smapi.sent()
    assert sent[:2] == [LIST_SUBSCRIBERS, LIST] and sent[-1] == LIST and len(sent) == 5
    assert in_any_order(smapi.writes()) == in_any_order([
        ('POST', SUBSCRIPTIONS, dict(name=NAME, events=[ALL], vendorId=vendor_id, subscriberId=subscriber_id))
        for vendor_id in (DEV1, DEV2)])
    assert smapi.requests[1].query == dict(vendorId=ORG, subscriberId=subscriber_id, maxResults='50')
    assert smapi.pauses == [1.0]


def declare_a_change_of_each_kind(smapi, subscriber_id):
    """DEV1's subscription to update, DEV2's to create, an undeclared one to purge, and one purge_names spares."""
    return dict(
        updated=smapi.add_subscription(DEV1, NAME, subscriber_id, [CERTIFICATION]),
        purged=smapi.add_subscription(DEV2, 'retired', subscriber_id, [ALL]),
        spared=smapi.add_subscription(DEV2, 'made-by-the-developer', subscriber_id, [ALL]))


def test_updates_creates_and_purges_in_one_run(run, smapi, subscriber_id):
    ids = declare_a_change_of_each_kind(smapi, subscriber_id)

    result = run(purge=True, purge_names=['retired'])

    created = id_of(smapi, DEV2)
    assert result['changed'] is True
    assert result['results'] == [outcome(DEV1, ids['updated'], 'updated'), outcome(DEV2, created, 'created'),
                                 outcome(DEV2, ids['purged'], 'deleted', name='retired')]
    assert result['summary'] == summary(created=1, updated=1, deleted=1)
    assert result['subscriptions'] == [view(ids['updated'], subscriber_id, DEV1), view(created, subscriber_id, DEV2)]
    spared = view(ids['spared'], subscriber_id, DEV2, name='made-by-the-developer')
    assert result['diff'] == dict(
        before=dict(subscriptions=[view(ids['updated'], subscriber_id, DEV1, events=[CERTIFICATION]), spared,
                                   view(ids['purged'], subscriber_id, DEV2, name='retired')]),
        after=dict(subscriptions=[view(ids['updated'], subscriber_id, DEV1), spared, view(created, subscriber_id, DEV2)]))
    assert in_any_order(smapi.writes()) == in_any_order([
        ('PUT', one(ids['updated']), dict(name=NAME, events=[ALL])),
        ('POST', SUBSCRIPTIONS, dict(name=NAME, events=[ALL], vendorId=DEV2, subscriberId=subscriber_id)),
        ('DELETE', one(ids['purged']), None)])
    assert sorted(smapi.subscriptions) == sorted([ids['updated'], ids['spared'], created])


def test_check_mode_predicts_every_change_and_sends_no_write(run, smapi, subscriber_id):
    ids = declare_a_change_of_each_kind(smapi, subscriber_id)
    before = json.loads(json.dumps(smapi.subscriptions))

    result = run(purge=True, purge_names=['retired'], _ansible_check_mode=True)

    assert smapi.sent() == [LIST_SUBSCRIBERS, LIST]
    assert smapi.subscriptions == before
    assert result['changed'] is True
    # A subscription check mode would create has no ID yet.
    assert result['results'] == [outcome(DEV1, ids['updated'], 'updated'), outcome(DEV2, None, 'created'),
                                 outcome(DEV2, ids['purged'], 'deleted', name='retired')]
    assert result['summary'] == summary(created=1, updated=1, deleted=1)
    spared = view(ids['spared'], subscriber_id, DEV2, name='made-by-the-developer')
    assert result['diff']['after'] == dict(subscriptions=[view(ids['updated'], subscriber_id, DEV1), spared,
                                                          view(None, subscriber_id, DEV2)])
    assert result['diff']['before']['subscriptions'][2] == view(ids['purged'], subscriber_id, DEV2, name='retired')


def test_purge_without_purge_names_deletes_every_undeclared_subscription(run, smapi, subscriber_id):
    ids = declare_a_change_of_each_kind(smapi, subscriber_id)

    result = run(purge=True, _ansible_check_mode=True)

    deleted = [(item['subscription_id'], item['name']) for item in result['results'] if item['action'] == 'deleted']
    assert deleted == [(ids['spared'], 'made-by-the-developer'), (ids['purged'], 'retired')]


def test_declared_as_they_are_changes_nothing(run, smapi, subscriber_id):
    ids = [smapi.add_subscription(vendor_id, NAME, subscriber_id, [ALL]) for vendor_id in (DEV1, DEV2)]

    result = run(purge=True)

    assert smapi.sent() == [LIST_SUBSCRIBERS, LIST]
    assert result['changed'] is False
    assert result['results'] == [outcome(DEV1, ids[0], 'unchanged'), outcome(DEV2, ids[1], 'unchanged')]
    assert result['summary'] == summary(unchanged=2)
    assert result['diff']['before'] == result['diff']['after'] == dict(subscriptions=result['subscriptions'])
    assert result['subscriptions'] == [view(ids[0], subscriber_id, DEV1), view(ids[1], subscriber_id, DEV2)]


def test_a_second_run_changes_nothing(run, smapi):
    run(purge=True)
    del smapi.requests[:]

    result = run(purge=True)

    assert result['changed'] is False
    assert smapi.sent() == [LIST_SUBSCRIBERS, LIST]


@pytest.mark.parametrize('check_mode', [False, True], ids=['apply', 'check mode'])
def test_a_subscriber_of_another_security_profile_is_refused_before_any_write(run, smapi, check_mode):
    run_on_a_foreign_subscriber(run, smapi, _ansible_check_mode=check_mode)

    assert smapi.sent() == [LIST_SUBSCRIBERS]


def test_a_vendor_that_does_not_own_the_subscriber_reads_each_declared_vendors_subscriptions(run, smapi, subscriber_id):
    existing = smapi.add_subscription(DEV1, NAME, subscriber_id, [ALL])

    result = run(vendor_id=DEV1, _ansible_check_mode=True)

    assert result['results'] == [outcome(DEV1, existing, 'unchanged'), outcome(DEV2, None, 'created')]
    assert [request.method for request in smapi.requests] == ['GET', 'GET', 'GET']
    assert smapi.requests[0].query['vendorId'] == DEV1
    assert sorted(request.query['vendorId'] for request in smapi.requests[1:]) == [DEV1, DEV2]
    assert all(request.query['subscriberId'] == subscriber_id for request in smapi.requests[1:])


def test_purge_by_a_vendor_that_does_not_own_the_subscriber_is_refused(run, smapi, subscriber_id):
    result = run(vendor_id=DEV1, purge=True)

    assert result['failed'] is True
    assert result['msg'] == ('purge: vendor_id %s does not own subscriber_id %s, so no single list shows every subscription '
                             'to it; set vendor_id to the vendor that owns the subscriber' % (DEV1, subscriber_id))
    assert smapi.sent() == [LIST_SUBSCRIBERS]


def test_an_unknown_subscriber_id_fails_every_item_naming_it(run, smapi):
    result = run(subscriptions=[dict(vendor_id=DEV1)], subscriber_id='amzn1.ask-subscriber.gone')

    reason = ('subscriber_id amzn1.ask-subscriber.gone: no such subscriber is visible to this token; check the ID the '
              'subscriber owner gave you')
    assert result['failed'] is True
    assert result['msg'] == "1 of 1 subscriptions failed: vendor_id %s, name '%s': %s" % (DEV1, NAME, reason)
    assert result['results'] == [outcome(DEV1, None, 'failed', msg=reason)]
    assert smapi.sent() == [LIST_SUBSCRIBERS, LIST]
    assert smapi.writes() == []


def test_an_item_that_fails_does_not_stop_the_others(run, smapi, subscriber_id):
    refused = smapi.add_subscription(DEV1, NAME, subscriber_id, [CERTIFICATION])
    smapi.refuse('PUT', one(refused), 403, 'Access denied.')

    result = run()

    # The item's reason: SMAPI's own words first, then a hint that names what to check.
    reason = result['results'][0]['msg']
    failure = 'PUT %s failed (HTTP 403): Access denied. ' % one(refused)
    assert reason.startswith(failure)
    assert 'vendor_id' in reason[len(failure):] and 'security profile' in reason[len(failure):]
    assert result['failed'] is True
    assert result['msg'] == "1 of 2 subscriptions failed: vendor_id %s, name '%s': %s" % (DEV1, NAME, reason)
    assert result['results'] == [outcome(DEV1, refused, 'failed', msg=reason), outcome(DEV2, id_of(smapi, DEV2), 'created')]
    assert result['summary'] == summary(created=1, failed=1)
    assert smapi.subscriptions[refused]['events'] == [CERTIFICATION]


@pytest.mark.parametrize('lower_id', [True, False], ids=['the late copy is kept', 'the late copy is removed'])
def test_a_create_stored_after_the_look_that_found_nothing_is_removed_and_reported(run, smapi, subscriber_id, lower_id):
    # DEV1's create times out and SMAPI stores it only after the look that followed found nothing, so
    # the module sends it again: no look rules out a create stored that late. The settle leaves one.
    smapi.store_late(DEV1, lower_id=lower_id)

    result = run()

    [late] = smapi.stored_late
    kept = id_of(smapi, DEV1)
    removed = [request.path.rpartition('/')[2] for request in smapi.requests if request.method == 'DELETE']
    # DEV1's create, the look for it, the create again.
    assert [request.method for request in smapi.requests
            if DEV1 in (request.query.get('vendorId'), (request.body or {}).get('vendorId'))] == ['POST', 'GET', 'POST']
    # The lower ID is kept, also when it is the late copy, whose ID the run never saw.
    assert (kept == late) is lower_id and result['removed_duplicates'] == removed and kept < removed[0]
    assert result['changed'] is True and 'failed' not in result
    assert result['summary'] == summary(created=2)
    assert result['subscriptions'] == [view(kept, subscriber_id, DEV1), view(id_of(smapi, DEV2), subscriber_id, DEV2)]
    assert sorted(smapi.subscriptions) == sorted(found['subscription_id'] for found in result['subscriptions'])
    assert [text for text in warning_texts(result) if 'removed %s' % removed[0] in text]


@pytest.mark.parametrize('task, msg', [
    (dict(purge_names=['retired']), 'purge_names takes effect only with purge: set purge to true, or leave purge_names out'),
    (dict(max_concurrency=0), 'max_concurrency must be 1 or more (1 sends one request at a time); got 0'),
    (dict(subscriptions=[dict(vendor_id=DEV1), dict(vendor_id=DEV1, events=[CERTIFICATION])]),
     "subscriptions[1] repeats subscriptions[0] (vendor_id %s, name '%s'): declare each vendor_id and name once" % (DEV1, NAME)),
], ids=['purge_names without purge', 'no concurrency', 'an item twice'])
def test_a_task_that_makes_no_sense_is_refused_before_any_request(run, smapi, task, msg):
    result = run(**task)

    assert result['failed'] is True
    assert result['msg'] == msg
    assert smapi.sent() == []
